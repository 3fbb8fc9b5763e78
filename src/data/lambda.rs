//! What the Lambda service itself needs, hand-written from the AWS Lambda Developer Guide
//! (`policies/lambda.json`; every entry cites its page): the execution-role actions of each
//! event source mapping, the service principal and scoping condition keys of each push
//! trigger, and the actions each function configuration option requires.

use std::collections::BTreeMap;

use serde::Deserialize;

/// REPORT.md `required[].strength`: whether the call or setting fails without a need
/// (`required`) or AWS documents it without enforcing it, or accepts something else in its
/// place (`recommended`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    Recommended,
    #[default]
    Required,
}

impl Strength {
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Required => "required",
            Strength::Recommended => "recommended",
        }
    }
}

/// Actions that apply to one kind of resource.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Statement {
    pub actions: Vec<String>,
    /// `source`, `table`, `consumer`, `secret`, `key`, `log-group`, `insights-log-group`,
    /// `target`, `file-system`, `profiling-group` or `*` (see the file's `_comment`).
    pub resource: String,
    /// The configuration case it is limited to, in words; `None` = always.
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub strength: Strength,
    /// What AWS accepts in place of this statement's actions (each alternative whole); the
    /// statement itself is the alternative a fix suggests.
    #[serde(default)]
    pub or: Vec<Alternative>,
}

/// One set of actions accepted in place of a [`Statement`]'s.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Alternative {
    pub actions: Vec<String>,
    pub resource: String,
}

/// A poll-based event source (event source mapping).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct EventSource {
    pub doc: String,
    /// The SAM `Events` type that declares it.
    pub sam_event: String,
    pub statements: Vec<Statement>,
}

/// A push trigger: another service invokes the function through its resource policy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Trigger {
    pub doc: String,
    #[serde(default)]
    pub sam_event: Option<String>,
    /// Service principal of the `lambda:InvokeFunction` grant.
    pub principal: String,
    /// Condition keys that scope the grant to one source (confused-deputy protection).
    pub conditions: Vec<String>,
    /// What the scoping value names (`bucket`, `topic`, `skill id`).
    pub source: String,
    /// Execution-role actions the function needs to do the job the trigger implies.
    #[serde(default)]
    pub role_actions: Vec<String>,
}

/// A function configuration option.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConfigEntry {
    pub doc: String,
    pub statements: Vec<Statement>,
}

/// The whole table behind [`super::lambda()`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct LambdaTable {
    /// `SQS`, `Kinesis`, `KinesisConsumer`, `DynamoDB`, `MSK`, `SelfManagedKafka`, `MQ`,
    /// `DocumentDB`.
    pub event_sources: BTreeMap<String, EventSource>,
    /// `S3`, `SNS`, `EventBridge`, `Schedule`, `ApiGatewayRest`, `ApiGatewayHttp`, `ALB`, ...
    pub triggers: BTreeMap<String, Trigger>,
    /// `Logging`, `Vpc`, `Tracing`, `EnvironmentKms`, `FileSystem`, `DeadLetterQueueSqs`,
    /// `DestinationSqs`, `SnapStart`, `LambdaInsights`, `CodeGuruProfiler`, ...
    pub config: BTreeMap<String, ConfigEntry>,
}

impl LambdaTable {
    pub fn event_source(&self, name: &str) -> Option<&EventSource> {
        self.event_sources.get(name)
    }

    pub fn trigger(&self, name: &str) -> Option<&Trigger> {
        self.triggers.get(name)
    }

    pub fn config(&self, name: &str) -> Option<&ConfigEntry> {
        self.config.get(name)
    }

    /// The trigger declared by a SAM `Events` type (`S3`, `Api`, `HttpApi`, `Schedule`, ...).
    pub fn trigger_for_sam_event(&self, sam_event: &str) -> Option<(&str, &Trigger)> {
        self.triggers
            .iter()
            .find(|(_, t)| t.sam_event.as_deref() == Some(sam_event))
            .map(|(k, t)| (k.as_str(), t))
    }

    /// Every action named anywhere in the table, sorted and deduplicated.
    pub fn all_actions(&self) -> Vec<&str> {
        let statements = self
            .event_sources
            .values()
            .flat_map(|e| &e.statements)
            .chain(self.config.values().flat_map(|c| &c.statements));
        let mut out: Vec<&str> = statements
            .flat_map(|s| {
                s.actions
                    .iter()
                    .chain(s.or.iter().flat_map(|a| &a.actions))
                    .map(String::as_str)
            })
            .chain(
                self.triggers
                    .values()
                    .flat_map(|t| t.role_actions.iter().map(String::as_str)),
            )
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}
