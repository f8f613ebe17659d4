//! The `crm` command-line program (cargo feature `cli`): `crm report` turns a sales export
//! into the customer-development report, `crm sample` writes the bundled sample data as
//! files. The binary and the Python package's `crm` command both call [`run`], so they are
//! one program.
//!
//! Exit codes: 0 done, 1 the input or the run failed (the message names file, line and
//! column), 2 the command line is wrong.

mod args;
mod config;
mod input;
mod output;
mod progress;
mod report;
mod sample;

use clap::Parser;
use std::ffi::OsString;
use std::path::Path;

/// Why a run failed: a message, and the individual problems when there are several.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    details: Vec<String>,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure { message, details: Vec::new() }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::from(message.to_owned())
    }
}

impl Failure {
    /// A core error about a file: CSV errors list every bad value with its line and column.
    fn core(path: &Path, e: crate::Error) -> Failure {
        match e {
            crate::Error::Csv { path, problems, total } => {
                // The library names its options; say the command line's too.
                let cli = |m: &str| {
                    if m.contains("day_first") {
                        format!("{m} (on the command line: --day-first or --month-first)")
                    } else if m.contains("encoding") && !m.contains("--encoding") {
                        format!("{m} (on the command line: --encoding)")
                    } else {
                        m.to_owned()
                    }
                };
                if let ([p], 1) = (problems.as_slice(), total) {
                    return Failure::from(format!("{path}: {}; nothing was written", cli(&p.to_string())));
                }
                let mut details: Vec<String> =
                    problems.iter().map(|p| format!("{path}: {}", cli(&p.to_string()))).collect();
                if total > problems.len() {
                    details.push(format!("... and {} more", total - problems.len()));
                }
                Failure { message: format!("{total} bad values in {path}; nothing was written"), details }
            }
            // These name their file and line themselves.
            crate::Error::Io { .. }
            | crate::Error::UnknownCustomer { at: Some(_), .. }
            | crate::Error::DuplicateCustomer { at: Some(_), .. } => Failure::from(e.to_string()),
            other => Failure::from(format!("{}: {other}", path.display())),
        }
    }
}

/// Runs the program with these arguments (the first is the program's name) and returns
/// the exit code. Help and version go to stdout with code 0.
///
/// ```no_run
/// let code = crm_core::cli::run(["crm", "report", "--sample", "--out", "report", "--quiet"]);
/// assert_eq!(code, 0);
/// ```
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let outcome = match &cli.command {
        args::Command::Report(a) => report::run(a),
        args::Command::Sample(a) => sample::write(&a.out, a.customers, a.seed).map_err(Failure::from).map(|config| {
            format!(
                "Wrote sales.csv, customers.csv, interactions.csv and crm.toml to {}; run: crm report --config {}",
                a.out.display(),
                config.display()
            )
        }),
    };
    match outcome {
        Ok(line) => {
            println!("{line}");
            0
        }
        Err(f) => {
            eprintln!("crm: error: {}", f.message);
            for d in &f.details {
                eprintln!("  {d}");
            }
            1
        }
    }
}
