//! Progress on stderr while a run works: a spinner with the current step when stderr is a
//! terminal (indicatif hides it otherwise), nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::RefCell;
use std::time::{Duration, Instant};

/// The run's progress line, and when each step started (for `--timings`).
#[derive(Debug)]
pub(crate) struct Progress(ProgressBar, RefCell<Vec<(String, Instant)>>);

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(ProgressStyle::with_template("{spinner} {elapsed:>3} {msg}").expect("a valid template"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar, RefCell::new(Vec::new()))
    }

    /// Shows the step now being done.
    pub fn step(&self, what: &str) {
        self.0.set_message(what.to_owned());
        self.1.borrow_mut().push((what.to_owned(), Instant::now()));
    }

    /// Each step's wall time so far, as one line.
    pub fn timings(&self) -> String {
        let steps = self.1.borrow();
        let now = Instant::now();
        let parts: Vec<String> = steps
            .iter()
            .enumerate()
            .map(|(i, (what, t))| {
                let end = steps.get(i + 1).map_or(now, |s| s.1);
                format!("{what}: {:.3} s", end.duration_since(*t).as_secs_f64())
            })
            .collect();
        parts.join("; ")
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
