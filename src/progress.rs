//! A progress bar on stderr for long runs: shown only when asked for (a terminal, not CI,
//! human output), and only once a run has taken a second, so quick runs print nothing.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this never show a bar.
const DELAY: Duration = Duration::from_secs(1);

/// The running stage of an audit, drawn when enabled; a no-op otherwise.
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Draws nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// A bar on stderr that appears after [`DELAY`] unless the run finishes first.
    pub fn stderr() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let shown = bar.clone();
        // A detached timer: if the process ends first, nothing was drawn.
        std::thread::spawn(move || {
            std::thread::sleep(DELAY);
            if !shown.is_finished() {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Progress { bar: Some(bar) }
    }

    /// Starts a stage working on `count` items (`templates: 1200 files`).
    pub fn stage(&self, name: &'static str, count: usize, items: &'static str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{name}: {count} {items}"));
        }
    }

    /// Shows a free-form status (`collect: 3/17 regions, 120/200 functions`).
    pub fn set(&self, message: String) {
        if let Some(bar) = &self.bar {
            bar.set_message(message);
        }
    }

    /// Removes the bar before the report is written.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
