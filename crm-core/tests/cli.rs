//! The `crm` program end to end: exit codes, help, the output folder, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn crm(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crm")).args(args).current_dir(dir).output().expect("crm runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh folder per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crm-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_and_version_exit_zero_and_report_help_has_two_examples() {
    let dir = scratch("help");
    for args in [&["--help"][..], &["--version"], &["report", "--help"], &["sample", "--help"]] {
        let out = crm(args, &dir);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
    }
    let help = text(&crm(&["report", "--help"], &dir).stdout);
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.matches("\n  crm report ").count() >= 2, "{help}");
    assert!(text(&crm(&["--version"], &dir).stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_wrong_command_line_exits_2_and_no_input_exits_1() {
    let dir = scratch("usage");
    assert_eq!(crm(&["report", "--no-such-option"], &dir).status.code(), Some(2));
    assert_eq!(crm(&["report", "--inactivity-days", "0", "--sample"], &dir).status.code(), Some(2));
    let out = crm(&["report"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--transactions"), "{}", text(&out.stderr));
}

#[test]
fn an_unknown_column_lists_the_file_columns_and_writes_nothing() {
    let dir = scratch("column");
    std::fs::write(dir.join("tx.csv"), "Kunde,Datum,Betrag\n1,2024-01-05,100\n").unwrap();
    let out = crm(&["report", "-t", "tx.csv", "--out", "rep"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("customer_id") && err.contains("Kunde") && err.contains("Betrag"), "{err}");
    assert!(!dir.join("rep").exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no staging folder left behind");
}

#[test]
fn an_unknown_config_key_is_an_error_naming_it() {
    let dir = scratch("config");
    std::fs::write(dir.join("crm.toml"), "[columns]\ncustomr = \"id\"\n").unwrap();
    let out = crm(&["report", "--config", "crm.toml"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("customr"), "{}", text(&out.stderr));
}

#[test]
fn bad_values_fail_by_default_listing_every_one_and_skip_writes_the_rejected_rows() {
    let dir = scratch("bad");
    std::fs::write(
        dir.join("tx.csv"),
        "customer_id,date,amount\r\n1,2024-01-05,100\r\n2,2024-13-01,50\r\n3,2024-02-01,abc\r\n1,2024-03-01,20\r\n",
    )
    .unwrap();
    let out = crm(&["report", "-t", "tx.csv", "--out", "rep"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("line 3") && err.contains("line 4"), "both bad lines listed: {err}");
    assert!(!dir.join("rep").exists());

    let out = crm(&["report", "-t", "tx.csv", "--out", "rep", "--on-error", "skip", "--quiet"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rejected = std::fs::read_to_string(dir.join("rep/rejected-rows.csv")).unwrap();
    let lines: Vec<&str> = rejected.lines().collect();
    assert_eq!(lines.len(), 3, "{rejected}");
    assert!(lines[1].contains(",3,") && lines[1].contains("date"), "{rejected}");
    assert!(lines[2].contains(",4,") && lines[2].contains("amount"), "{rejected}");
    let summary = text(&out.stdout);
    assert!(
        summary.contains("4 rows read") && summary.contains("2 loaded") && summary.contains("2 rejected"),
        "{summary}"
    );
}

#[test]
fn the_sample_runs_end_to_end_and_replaces_an_old_report() {
    let dir = scratch("sample");
    std::fs::create_dir_all(dir.join("rep")).unwrap();
    std::fs::write(dir.join("rep/stale.txt"), "old").unwrap();
    let out = crm(&["report", "--sample", "--sample-customers", "400", "--out", "rep", "--quiet"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for f in ["report.md", "report.json"] {
        assert!(dir.join("rep").join(f).is_file(), "{f}");
    }
    assert!(!dir.join("rep/stale.txt").exists());
    assert!(text(&out.stdout).starts_with("Wrote "));
}

#[test]
fn crm_sample_writes_files_that_crm_report_reads_with_their_config() {
    let dir = scratch("files");
    let out = crm(&["sample", "--out", "data", "--customers", "300"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for f in ["sales.csv", "customers.csv", "interactions.csv", "crm.toml"] {
        assert!(dir.join("data").join(f).is_file(), "{f}");
    }
    let out = crm(&["report", "--config", "data/crm.toml", "--quiet"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.join("data/report/report.json").is_file(), "out is relative to the config file");
}
