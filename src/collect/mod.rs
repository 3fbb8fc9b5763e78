//! `rolefit collect`: reads a deployed account's IAM and Lambda state with the AWS SDK for Rust
//! and writes the export folder that `rolefit audit` reads (`crate::parse::account`).
//!
//! Layout: `DIR/<account>/<region>/` (`--out DIR`), each a complete, independent export folder (one shard):
//! `authorization-details.json` (the account's roles and customer managed policies, the same
//! in every region folder of an account), `functions.json`, `event-source-mappings.json`,
//! `function-urls.json`, `event-invoke-configs.json`, `policies/<function>.json` (one
//! `get-policy` output per function that has a resource-based policy) and the manifest
//! [`MANIFEST`]. The files have the AWS CLI's shapes; the manifest says what was collected,
//! when, by whom, and what could not be read ([`Gap`]), which the audit reports as
//! `incomplete-input` notes.
//!
//! Every call the collector makes is in [`OPERATIONS`]; [`policy`] turns that table into the
//! least-privilege IAM policy of the collecting role through rolefit's own SDK-to-IAM data,
//! and the README shows it (`tests/docs.rs` keeps the two equal). The SDK part is behind the
//! cargo feature `collect` ([`aws`]).

#[cfg(feature = "collect")]
pub mod aws;

use serde::{Deserialize, Serialize};

use crate::data::{self, SdkKind};

/// The manifest's file name in every collected folder.
pub const MANIFEST: &str = "rolefit-collect.json";

/// The manifest's format version.
pub const MANIFEST_VERSION: u32 = 1;

/// Who needs an operation's permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The identity that reads the account: the collecting role (`--role-arn`), or the
    /// caller's own identity without it.
    Collector,
    /// The identity that runs `rolefit collect` and assumes `--role-arn` (in its own account).
    Source,
}

/// One AWS API operation the collector calls.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// botocore service name (`lambda`, `iam`), the key of rolefit's SDK data.
    pub service: &'static str,
    /// The operation as the API names it (`ListFunctions`).
    pub name: &'static str,
    pub caller: Caller,
    /// Why the collector calls it.
    pub purpose: &'static str,
}

impl Operation {
    /// `service:Operation`, the name the manifest uses (`lambda:GetPolicy`).
    pub fn api(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }
}

/// Every operation `rolefit collect` calls: List/Get/Describe reads, plus `sts:AssumeRole`
/// (`--role-arn`) and `sts:GetCallerIdentity` (the identity recorded in the manifest).
pub const OPERATIONS: &[Operation] = &[
    Operation {
        service: "sts",
        name: "AssumeRole",
        caller: Caller::Source,
        purpose: "assume each `--role-arn` (with `--external-id`)",
    },
    Operation {
        service: "sts",
        name: "GetCallerIdentity",
        caller: Caller::Collector,
        purpose: "the account and identity the manifest records",
    },
    Operation {
        service: "account",
        name: "ListRegions",
        caller: Caller::Collector,
        purpose: "the regions enabled for the account (`--all-regions`)",
    },
    Operation {
        service: "iam",
        name: "GetAccountAuthorizationDetails",
        caller: Caller::Collector,
        purpose: "roles and customer managed policies (`authorization-details.json`)",
    },
    Operation {
        service: "lambda",
        name: "ListFunctions",
        caller: Caller::Collector,
        purpose: "function configurations (`functions.json`)",
    },
    Operation {
        service: "lambda",
        name: "ListEventSourceMappings",
        caller: Caller::Collector,
        purpose: "event source mappings (`event-source-mappings.json`)",
    },
    Operation {
        service: "lambda",
        name: "GetPolicy",
        caller: Caller::Collector,
        purpose: "each function's resource-based policy (`policies/<function>.json`)",
    },
    Operation {
        service: "lambda",
        name: "ListFunctionUrlConfigs",
        caller: Caller::Collector,
        purpose: "each function's URLs (`function-urls.json`)",
    },
    Operation {
        service: "lambda",
        name: "GetFunctionUrlConfig",
        caller: Caller::Collector,
        purpose: "the function URL, where an endpoint lacks `ListFunctionUrlConfigs` (emulators)",
    },
    Operation {
        service: "lambda",
        name: "ListFunctionEventInvokeConfigs",
        caller: Caller::Collector,
        purpose: "each function's asynchronous invocation destinations (`event-invoke-configs.json`)",
    },
];

/// The operation of the table by service and name; the collector names only these.
pub fn operation(service: &str, name: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|o| o.service == service && o.name == name)
}

/// The IAM actions one operation needs, from rolefit's SDK-to-IAM data (empty for calls that
/// need no permission, such as `sts:GetCallerIdentity`).
pub fn actions_of(op: &Operation) -> Result<Vec<String>, String> {
    let resolution = data::sdk()
        .resolve(SdkKind::Python, op.service, op.name)
        .ok_or_else(|| format!("{} is not in rolefit's SDK data", op.api()))?;
    Ok(resolution.actions)
}

/// The least-privilege policies of [`OPERATIONS`]: the collecting role's (every
/// [`Caller::Collector`] action on `*`: these List/Get calls take no narrower resource for a
/// whole account) and, when `role_arns` are given, the source identity's `sts:AssumeRole` on
/// exactly those roles (`arn:aws:iam::*:role/<name>` stands for "the audit role in every
/// account" when no ARN is given).
pub fn policy(role_arns: &[String]) -> Result<Policies, String> {
    let mut collector: Vec<String> = Vec::new();
    let mut source: Vec<String> = Vec::new();
    for op in OPERATIONS {
        let into = match op.caller {
            Caller::Collector => &mut collector,
            Caller::Source => &mut source,
        };
        into.extend(actions_of(op)?);
    }
    collector.sort();
    collector.dedup();
    source.sort();
    source.dedup();
    let resources: Vec<String> = if role_arns.is_empty() {
        vec!["arn:aws:iam::*:role/rolefit-collect".to_string()]
    } else {
        role_arns.to_vec()
    };
    Ok(Policies {
        collector: serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "RolefitCollectReadOnly",
                "Effect": "Allow",
                "Action": collector,
                "Resource": "*",
            }],
        }),
        source: serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "RolefitCollectAssumeAuditRole",
                "Effect": "Allow",
                "Action": source,
                "Resource": resources,
            }],
        }),
    })
}

/// The two policies [`policy`] builds.
#[derive(Debug, Clone)]
pub struct Policies {
    /// Attached to the collecting role in every audited account.
    pub collector: serde_json::Value,
    /// Attached to the identity that runs `rolefit collect --role-arn ...`.
    pub source: serde_json::Value,
}

impl Policies {
    /// The text `rolefit collect --print-policy` prints and the README shows.
    pub fn render(&self) -> String {
        let pretty = |v: &serde_json::Value| {
            serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("policy: {e}"))
        };
        format!(
            "// The collecting role, in every audited account (the reads of `rolefit collect`):\n{}\n\
             // The identity that runs `rolefit collect --role-arn ...` (its own account):\n{}\n",
            pretty(&self.collector),
            pretty(&self.source)
        )
    }
}

/// The manifest `rolefit-collect.json` of one collected folder.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub version: u32,
    /// The 12-digit account id.
    pub account: String,
    pub region: String,
    /// The ARN `sts:GetCallerIdentity` returned: who read the account.
    pub identity: String,
    /// RFC 3339 times of the start and end of the account's collection.
    pub started: String,
    pub finished: String,
    /// `rolefit <version>`.
    pub tool: String,
    /// What was read, per operation: items written (functions, mappings, policies, ...).
    pub collected: Vec<Collected>,
    /// What could not be read.
    pub gaps: Vec<Gap>,
}

/// One operation's count in [`Manifest::collected`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Collected {
    /// `service:Operation`.
    pub api: String,
    pub count: usize,
}

/// An API call that failed for good: access denied, throttling after the SDK's retries, any
/// other error. The audit reports each as an `incomplete-input` note.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Gap {
    /// `service:Operation`.
    pub api: String,
    /// The function the call was about; `null` for account- or region-wide calls.
    pub function: Option<String>,
    /// The error code (`AccessDeniedException`, `ThrottlingException`, ...), or the kind of
    /// failure when the service sent none (`dispatch failure`, `timeout`).
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_resolves_to_a_read_or_sts() {
        for op in OPERATIONS {
            let actions = actions_of(op).unwrap_or_else(|e| panic!("{e}"));
            for a in &actions {
                let name = a.split_once(':').map_or("", |(_, n)| n);
                assert!(
                    ["List", "Get", "Describe"]
                        .iter()
                        .any(|p| name.starts_with(p))
                        || a == "sts:AssumeRole",
                    "{} needs {a}, which is not a read",
                    op.api()
                );
            }
        }
    }

    #[test]
    fn the_collecting_role_gets_reads_only_and_the_source_assume_role() {
        let p = policy(&["arn:aws:iam::111122223333:role/audit".to_string()])
            .unwrap_or_else(|e| panic!("{e}"));
        let actions = p.collector["Statement"][0]["Action"].clone();
        assert!(
            actions
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "lambda:GetPolicy"))
        );
        assert!(!actions.to_string().contains("sts:"));
        assert_eq!(
            p.source["Statement"][0]["Action"],
            serde_json::json!(["sts:AssumeRole"])
        );
        assert_eq!(
            p.source["Statement"][0]["Resource"],
            serde_json::json!(["arn:aws:iam::111122223333:role/audit"])
        );
    }

    #[test]
    fn manifests_round_trip() {
        let m = Manifest {
            version: MANIFEST_VERSION,
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            identity: "arn:aws:sts::123456789012:assumed-role/audit/rolefit".into(),
            started: "2026-01-01T00:00:00Z".into(),
            finished: "2026-01-01T00:00:05Z".into(),
            tool: "rolefit 0.1.0".into(),
            collected: vec![Collected {
                api: "lambda:ListFunctions".into(),
                count: 2,
            }],
            gaps: vec![Gap {
                api: "lambda:GetPolicy".into(),
                function: None,
                code: "AccessDeniedException".into(),
                message: "denied".into(),
            }],
        };
        let text = serde_json::to_string(&m).unwrap_or_default();
        assert!(text.contains("\"function\":null"));
        let back: Manifest = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, m);
    }
}
