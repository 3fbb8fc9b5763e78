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
    let literal = |s: &str| !s.is_empty() && !s.contains('$');
    let mut parts = func.arn.split(':');
    let region = parts.nth(3).filter(|r| literal(r)).map(str::to_string);
    let account = parts
        .next()
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
    match (region, account) {
        (Some(r), Some(a)) => (r, a.to_string()),
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
