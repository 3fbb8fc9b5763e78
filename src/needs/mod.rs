//! What each function requires: (action, resource, because) from its code, event sources,
//! destinations and configuration.

mod arn;
mod config;
pub mod doc;
mod kms;
mod sdk;
mod signed;

pub use arn::{
    ACCOUNT, REGION, every_resource_for_action, is_specific, other_resources_for_action,
    queue_url_to_arn, resource_for_action,
};
pub use sdk::{SdkNeeds, sdk_needs};

pub use crate::data::Strength;

use std::collections::{BTreeMap, BTreeSet};

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

/// One of several sets of needs AWS accepts in place of each other (Lambda's Kinesis poller
/// works with `DescribeStream`, or with `DescribeStreamSummary` and `ListShards`): `group`
/// numbers the choice within a function, `option` the set, 0 being the one a fix suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Choice {
    pub group: u32,
    pub option: u32,
}

/// One required (action, resource) pair and every reason for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    pub action: String,
    pub resource: String,
    pub because: Vec<Reason>,
    /// REPORT.md `required[].strength`: a missing `Recommended` need is a note.
    pub strength: Strength,
    /// Set when the need is one alternative among others ([`settle_choices`]).
    pub choice: Option<Choice>,
    /// Request context keys the call sets, lower-cased (`iam:passedtoservice` of a passed role),
    /// used when a grant's condition tests them.
    pub context: BTreeMap<String, BTreeSet<String>>,
}

/// How a need is added besides its action, resource and reason.
#[derive(Clone, Debug, Default)]
pub struct NeedOpts {
    pub strength: Strength,
    pub choice: Option<Choice>,
    pub context: Vec<(String, String)>,
}

#[derive(Debug)]
struct Entry {
    because: Vec<Reason>,
    strength: Strength,
    choice: Option<Choice>,
    context: BTreeMap<String, BTreeSet<String>>,
}

/// Collects needs, merging reasons for the same (action, resource): the stronger strength
/// wins, and a need that is also needed outright is no longer an alternative.
#[derive(Debug, Default)]
pub struct NeedSet {
    map: BTreeMap<(String, String), Entry>,
    groups: u32,
}

impl NeedSet {
    /// A required need.
    pub fn add(&mut self, action: &str, resource: &str, reason: Reason) {
        self.add_with(action, resource, reason, NeedOpts::default());
    }

    pub fn add_with(&mut self, action: &str, resource: &str, reason: Reason, opts: NeedOpts) {
        let key = (action.to_string(), resource.to_string());
        let fresh = !self.map.contains_key(&key);
        let entry = self.map.entry(key).or_insert_with(|| Entry {
            because: Vec::new(),
            strength: opts.strength,
            choice: opts.choice,
            context: BTreeMap::new(),
        });
        if !fresh {
            entry.strength = entry.strength.max(opts.strength);
            if opts.choice.is_none() {
                entry.choice = None;
            }
        }
        for (k, v) in opts.context {
            entry
                .context
                .entry(k.to_ascii_lowercase())
                .or_default()
                .insert(v);
        }
        if !entry.because.contains(&reason) {
            entry.because.push(reason);
        }
    }

    /// A new choice group number for [`Choice::group`].
    pub fn new_group(&mut self) -> u32 {
        self.groups += 1;
        self.groups
    }

    pub fn into_needs(self) -> Vec<Need> {
        self.map
            .into_iter()
            .map(|((action, resource), mut e)| {
                e.because.sort();
                Need {
                    action,
                    resource,
                    because: e.because,
                    strength: e.strength,
                    choice: e.choice,
                    context: e.context,
                }
            })
            .collect()
    }
}

/// Which needs stay once alternatives are settled against what the role grants
/// (`satisfied(i)`: need `i` is allowed, possibly under conditions). A choice that some option
/// fully satisfies keeps only its granted needs (the other options are simply not used); an
/// unsatisfied choice keeps its first option, which the fix suggests, and the granted needs of
/// the others. Needs outside any choice always stay.
pub fn settle_choices(needs: &[Need], satisfied: impl Fn(usize) -> bool) -> Vec<bool> {
    let mut options: BTreeMap<u32, BTreeMap<u32, bool>> = BTreeMap::new();
    for (i, n) in needs.iter().enumerate() {
        if let Some(c) = n.choice {
            let ok = options
                .entry(c.group)
                .or_default()
                .entry(c.option)
                .or_insert(true);
            *ok = *ok && satisfied(i);
        }
    }
    needs
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let Some(c) = n.choice else {
                return true;
            };
            let group_met = options
                .get(&c.group)
                .is_some_and(|o| o.values().any(|&ok| ok));
            satisfied(i) || (!group_met && c.option == 0)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn need(action: &str, choice: Option<(u32, u32)>) -> Need {
        Need {
            action: action.to_string(),
            resource: "*".to_string(),
            because: Vec::new(),
            strength: Strength::Required,
            choice: choice.map(|(group, option)| Choice { group, option }),
            context: BTreeMap::new(),
        }
    }

    #[test]
    fn a_satisfied_alternative_drops_the_others() {
        // DescribeStream (option 0) or DescribeStreamSummary + ListShards (option 1).
        let needs = [
            need("kinesis:GetRecords", None),
            need("kinesis:DescribeStream", Some((1, 0))),
            need("kinesis:DescribeStreamSummary", Some((1, 1))),
            need("kinesis:ListShards", Some((1, 1))),
        ];
        let granted = |set: &'static [usize]| move |i: usize| set.contains(&i);
        // Summary and ListShards granted: DescribeStream is not needed.
        assert_eq!(
            settle_choices(&needs, granted(&[2, 3])),
            [true, false, true, true]
        );
        // Only ListShards: no option is met; the first stays (the fix), ListShards is used.
        assert_eq!(
            settle_choices(&needs, granted(&[3])),
            [true, true, false, true]
        );
        // Nothing granted: the first option and the needs outside any choice.
        assert_eq!(
            settle_choices(&needs, granted(&[])),
            [true, true, false, false]
        );
    }

    #[test]
    fn merged_needs_keep_the_stronger_strength_and_leave_a_choice_when_needed_outright() {
        let mut set = NeedSet::default();
        let reason = || Reason {
            kind: ReasonKind::Config,
            span: Span::default(),
            detail: "x".to_string(),
        };
        let group = set.new_group();
        let opts = NeedOpts {
            strength: Strength::Recommended,
            choice: Some(Choice { group, option: 0 }),
            context: vec![(
                "iam:PassedToService".to_string(),
                "s.amazonaws.com".to_string(),
            )],
        };
        set.add_with("a:B", "*", reason(), opts);
        set.add("a:B", "*", reason());
        let needs = set.into_needs();
        assert_eq!(needs.len(), 1);
        assert_eq!(needs[0].strength, Strength::Required);
        assert_eq!(needs[0].choice, None);
        assert!(needs[0].context["iam:passedtoservice"].contains("s.amazonaws.com"));
    }
}
