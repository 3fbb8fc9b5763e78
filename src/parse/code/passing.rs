//! Values a file's callers pass to its own functions (`send(body, System.getenv("QUEUE_URL"))`,
//! `notify(ctx, os.Getenv("TOPIC"))`), learned in one pass over the file and bound to the
//! parameters in the next, for the Go and Java extractors.

use std::collections::BTreeMap;

use crate::model::Arg;

/// `function#position` -> the value every call site passes (unknown when they disagree:
/// one call is reported once, not once per caller).
#[derive(Debug, Default)]
pub(super) struct Passed(BTreeMap<String, Arg>);

impl Passed {
    pub(super) fn record(&mut self, function: &str, position: usize, arg: Arg) {
        let entry = self
            .0
            .entry(format!("{function}#{position}"))
            .or_insert_with(|| arg.clone());
        if *entry != arg {
            *entry = Arg::Unknown;
        }
    }

    /// The value the parameter at `position` of `function` takes, when all callers agree.
    pub(super) fn get(&self, function: &str, position: usize) -> Option<&Arg> {
        self.0
            .get(&format!("{function}#{position}"))
            .filter(|a| **a != Arg::Unknown)
    }
}
