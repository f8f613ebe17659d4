//! Progress on stderr while a run works: a spinner with the current step when stderr is a
//! terminal (indicatif hides it otherwise), nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// The run's progress line.
#[derive(Debug)]
pub(crate) struct Progress(ProgressBar);

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(ProgressStyle::with_template("{spinner} {elapsed:>3} {msg}").expect("a valid template"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    /// Shows the step now being done.
    pub fn step(&self, what: &str) {
        self.0.set_message(what.to_owned());
    }

    /// Clears the line.
    pub fn done(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
