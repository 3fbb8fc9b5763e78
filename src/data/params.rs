//! Request parameters that add needs beyond the operation's own actions, hand-kept in
//! `policies/parameters.json` (every entry cites its documentation page and section): the
//! parameters that pass a role (`iam:PassRole` on that role, with `iam:PassedToService`),
//! the parameters that tag what a call creates (the operation's dependent tag action from the
//! Service Authorization Reference), and copy sources (`s3:GetObject` on the source object).

use serde::Deserialize;

/// One (operation, parameter) that passes a role to a service.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PassRole {
    /// botocore service name.
    pub service: String,
    pub operations: Vec<String>,
    /// The member holding the role ARN (or name), as a path: `Target.RoleArn`,
    /// `Targets[].RoleArn`, `overrides.taskRoleArn`.
    pub param: String,
    /// The service principal the role is passed to (`iam:PassedToService`).
    pub passed_to: String,
    /// When set, the parameter names a resource of this kind (`task-definition`) and the
    /// roles passed are the ones that resource declares, not the parameter's value.
    #[serde(default)]
    pub roles_of: Option<String>,
    pub doc: String,
    pub section: String,
}

/// Parameters that tag the resource a call creates.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TagParams {
    pub params: Vec<String>,
    pub doc: String,
    pub section: String,
}

/// An (operation, parameter) naming a source the call reads.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CopySource {
    pub service: String,
    pub operations: Vec<String>,
    pub param: String,
    /// The operation's actions that apply to the source rather than the target.
    pub actions: Vec<String>,
    pub doc: String,
    pub section: String,
}

/// An (operation, member path) naming the resource the operation is authorized on from inside
/// a request structure (`Entries[].EventBusName` of EventBridge `PutEvents`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ResourceMember {
    pub service: String,
    pub operations: Vec<String>,
    pub param: String,
    pub doc: String,
    pub section: String,
}

/// The whole of `policies/parameters.json`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ParamTable {
    pub pass_role: Vec<PassRole>,
    pub tags: TagParams,
    pub copy_sources: Vec<CopySource>,
    #[serde(default)]
    pub resource_members: Vec<ResourceMember>,
}

impl ParamTable {
    /// The role-passing parameters of an operation.
    pub fn pass_role<'a>(
        &'a self,
        service: &'a str,
        operation: &'a str,
    ) -> impl Iterator<Item = &'a PassRole> + 'a {
        self.pass_role
            .iter()
            .filter(move |p| p.service == service && p.operations.iter().any(|o| o == operation))
    }

    /// Whether some entry reads members of a structure (or list of structures) passed as
    /// parameter `name` (`Target` for `Target.RoleArn`, `CopySource` for `{Bucket, Key}`):
    /// the code extractors keep those members, by their path, beside the parameter.
    pub fn reads_members(&self, name: &str) -> bool {
        self.member_path(name).is_some() || self.copy_sources.iter().any(|c| c.param == name)
    }

    /// The path under which the members of parameter `name` are read, as the caller spells
    /// the name: `Target` for `Target.RoleArn`, `Targets[]` for `Targets[].RoleArn`. Names
    /// compare without regard to case, as SDKs spell members (`containerProperties` in boto3
    /// and JavaScript, `ContainerProperties` for Java setters and Go fields).
    pub fn member_path(&self, name: &str) -> Option<String> {
        let paths = self
            .pass_role
            .iter()
            .map(|p| p.param.as_str())
            .chain(self.resource_members.iter().map(|m| m.param.as_str()));
        paths.into_iter().find_map(|param| {
            let head = param.get(..name.len())?;
            if !head.eq_ignore_ascii_case(name) {
                return None;
            }
            let rest = &param[name.len()..];
            if rest.starts_with("[].") {
                Some(format!("{name}[]"))
            } else if rest.starts_with('.') {
                Some(name.to_string())
            } else {
                None
            }
        })
    }

    /// The copy source of an operation, if it reads one.
    pub fn copy_source(&self, service: &str, operation: &str) -> Option<&CopySource> {
        self.copy_sources
            .iter()
            .find(|c| c.service == service && c.operations.iter().any(|o| o == operation))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn member_paths_follow_the_callers_spelling() {
        let t = crate::data::params();
        assert_eq!(t.member_path("Target").as_deref(), Some("Target"));
        assert_eq!(t.member_path("Targets").as_deref(), Some("Targets[]"));
        // Java setters and Go fields capitalise what boto3 spells `containerProperties`.
        assert_eq!(
            t.member_path("ContainerProperties").as_deref(),
            Some("ContainerProperties")
        );
        assert_eq!(t.member_path("Item"), None);
        assert_eq!(t.member_path("Targ"), None);
    }
}
