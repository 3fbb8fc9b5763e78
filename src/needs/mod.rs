//! What each function requires: (action, resource, because) from its code, event sources,
//! destinations and configuration.

mod arn;
mod config;
mod sdk;

pub use arn::{ACCOUNT, REGION, is_specific, queue_url_to_arn, resource_for_action};
pub use sdk::{SdkNeeds, sdk_needs};

use std::collections::BTreeMap;

use crate::model::{App, Function};
use crate::source::Span;

/// Why a function needs an action (REPORT.md `because[].kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReasonKind {
    SdkCall,
    EventSource,
    Destination,
    Config,
}

impl ReasonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::SdkCall => "sdk-call",
            ReasonKind::EventSource => "event-source",
            ReasonKind::Destination => "destination",
            ReasonKind::Config => "config",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reason {
    pub kind: ReasonKind,
    pub span: Span,
    pub detail: String,
}

/// One required (action, resource) pair and every reason for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    pub action: String,
    pub resource: String,
    pub because: Vec<Reason>,
}

/// Collects needs, merging reasons for the same (action, resource).
#[derive(Debug, Default)]
pub struct NeedSet {
    map: BTreeMap<(String, String), Vec<Reason>>,
}

impl NeedSet {
    pub fn add(&mut self, action: &str, resource: &str, reason: Reason) {
        let reasons = self
            .map
            .entry((action.to_string(), resource.to_string()))
            .or_default();
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }

    pub fn into_needs(self) -> Vec<Need> {
        self.map
            .into_iter()
            .map(|((action, resource), mut because)| {
                because.sort();
                Need {
                    action,
                    resource,
                    because,
                }
            })
            .collect()
    }
}

/// The function's region and account: literal when its ARN says (exported account state),
/// else `${AWS::Region}` and `${AWS::AccountId}`.
pub fn home(func: &Function) -> (String, String) {
    let arn = crate::arn::Arn::parse(&func.arn).ok();
    let region = arn
        .and_then(|a| a.region())
        .and_then(|r| r.literal())
        .filter(|r| !r.is_empty() && !r.contains('$'));
    let account = arn
        .and_then(|a| a.account())
        .and_then(|a| a.literal())
        .filter(|a| crate::arn::is_account_id(a));
    match (region, account) {
        (Some(r), Some(a)) => (r.to_string(), a.to_string()),
        _ => (
            "${AWS::Region}".to_string(),
            "${AWS::AccountId}".to_string(),
        ),
    }
}

/// Needs that come from the function's definition alone (configuration, event sources,
/// destinations); code needs are added by [`sdk_needs`].
pub fn definition_needs(func: &Function, app: &App, set: &mut NeedSet) {
    config::config_needs(func, app, set);
}
