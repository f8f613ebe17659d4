//! `crm report`: read the export, build the base, compute the report, write the folder.

use super::args::ReportArgs;
use super::config::{ConfigFile, Plan, plan};
use super::input;
use super::output::StagedDir;
use super::progress::Progress;
use super::{Failure, sample};
use crate::ingest::CsvReport;
use std::fmt::Write as _;

/// Runs the command; returns the closing line.
pub(crate) fn run(args: &ReportArgs) -> Result<String, Failure> {
    let mut sample_dir = None;
    let file = if args.sample {
        let dir = TempDir::new()?;
        let config = sample::write(&dir.0, args.sample_customers, 42)?;
        sample_dir = Some(dir);
        let mut cfg = ConfigFile::load(&config)?;
        cfg.output.out = None; // the report goes where the user runs the command
        cfg
    } else if let Some(path) = &args.config {
        ConfigFile::load(path)?
    } else {
        ConfigFile::default()
    };
    let mut plan = plan(args, file)?;
    if args.sample {
        plan.source =
            format!("the bundled sample data (`crm sample --customers {}`: sales.csv)", args.sample_customers);
    }
    let progress = Progress::new(plan.quiet);
    let loaded = input::load(&plan, &progress)?;
    progress.step("building the customer base");
    let base = loaded.builder.build().map_err(|e| Failure::core(&plan.transactions, e))?;
    let as_of = plan.as_of.or(loaded.sales.last_sale).ok_or_else(|| {
        Failure::from(format!("{}: no sale to report on (and no --as-of date)", plan.transactions.display()))
    })?;
    progress.step(&format!("computing the report as of {as_of}"));
    let report = base
        .report(as_of, &plan.rules)
        .map_err(|e| Failure::from(e.to_string()))?
        .with_input(input::summary(&plan, &loaded.sales));
    progress.step("writing");
    let out = StagedDir::new(&plan.out)?;
    let mut written = vec!["report.html", "report.md", "report.json"];
    out.write("report.html", report.to_html().as_bytes())?;
    out.write("report.md", report.to_markdown().as_bytes())?;
    out.write("report.json", report.to_json().as_bytes())?;
    if input::set_aside(&loaded.sales) > 0 {
        out.write("rejected-rows.csv", &input::rejected_rows_csv(&plan, &loaded.sales))?;
        written.push("rejected-rows.csv");
    }
    out.commit()?;
    progress.done();
    if args.timings {
        eprintln!("timings: {}", progress.timings());
    }
    drop(sample_dir);
    Ok(closing_line(&plan, &written, &loaded.sales))
}

fn closing_line(plan: &Plan, written: &[&str], s: &CsvReport) -> String {
    let mut line = format!(
        "Wrote {} to {}: {} rows read from {}, {} loaded",
        written.join(", "),
        plan.out.display(),
        s.rows_read,
        plan.source,
        s.rows_loaded
    );
    if s.anonymous.rows > 0 {
        let _ = write!(line, ", {} without a customer id (anonymous sales)", s.anonymous.rows);
    }
    if s.rows_rejected > 0 {
        let _ = write!(line, ", {} rejected for bad values", s.rows_rejected);
    }
    if s.rows_rejected == 0 && s.anonymous.rows == 0 {
        line.push_str(", none rejected");
    }
    line.push('.');
    line
}

/// A folder in the system's temp dir, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, Failure> {
        let dir = std::env::temp_dir().join(format!("crm-sample-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Failure::from(format!("{}: {e}", dir.display())))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
