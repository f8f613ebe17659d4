//! The `crm` program end to end: exit codes, help, the output folder, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn crm(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crm")).args(args).current_dir(dir).output().expect("crm runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh folder per test, removed when the test ends (passed or failed).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("crm-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
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

fn exports() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/exports")
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const ONLINE_RETAIL: [&str; 14] = [
    "--customer-col",
    "CustomerID",
    "--date-col",
    "InvoiceDate",
    "--quantity-col",
    "Quantity",
    "--unit-price-col",
    "UnitPrice",
    "--order-col",
    "InvoiceNo",
    "--product-col",
    "StockCode",
    "--cancellation-prefix",
    "C",
];

/// The figures of tests/data/README.md (worked by hand) through the command.
#[test]
fn the_online_retail_export_gives_the_hand_worked_figures() {
    let dir = scratch("retail");
    let file = exports().join("online_retail.csv");
    let mut args = vec!["report", "-t", file.to_str().unwrap(), "--out", "rep", "--quiet"];
    args.extend(ONLINE_RETAIL);
    let out = crm(&args, &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    assert!(
        line.contains("14 rows read") && line.contains("11 loaded") && line.contains("3 without a customer id"),
        "{line}"
    );
    let r = json(&dir.join("rep/report.json"));
    // The last sale is 2011-01-05: the return of 2011-01-12 does not move the as-of date.
    assert_eq!(r["as_of"], "2011-01-05");
    assert_eq!(r["overview"]["customers"], 3);
    assert_eq!(r["input"]["anonymous_rows"], 3);
    assert!((r["input"]["anonymous_revenue"].as_f64().unwrap() - 36.55).abs() < 1e-9);
    assert_eq!(r["input"]["returns_rows"], 2);
    assert!((r["input"]["returns_value"].as_f64().unwrap() - 7.09).abs() < 1e-9);
    // 5 purchases (orders, not lines): 536365, 536366, 536367, 536369, 536371.
    let rev = r["overview"]["revenue"].as_f64().unwrap();
    assert!((rev - (185.38 + 3.39)).abs() < 1e-9, "{rev}");
    assert!((r["overview"]["average_purchase"].as_f64().unwrap() - (185.38 + 3.39) / 5.0).abs() < 1e-9);
    let rejected = std::fs::read_to_string(dir.join("rep/rejected-rows.csv")).unwrap();
    let lines: Vec<u64> = rejected.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    assert_eq!(lines, [8, 14, 15]);
    // One month of history: flows, churn, duration and CLV are withheld with a reason.
    let html = std::fs::read_to_string(dir.join("rep/report.html")).unwrap();
    assert!(html.contains("not yet measurable") || html.contains("Not yet measurable"), "caveat shown");
    assert!(r["caveats"].as_array().unwrap().iter().any(|c| c["figure"].as_str().unwrap().contains("lifetime value")));

    // As of the return's day the net revenue is the hand-worked 185.38.
    args.extend(["--as-of", "2011-01-12"]);
    assert_eq!(crm(&args, &dir).status.code(), Some(0));
    let rev = json(&dir.join("rep/report.json"))["overview"]["revenue"].as_f64().unwrap();
    assert!((rev - 185.38).abs() < 1e-9, "{rev}");
}

#[test]
fn the_latin1_description_needs_the_encoding_option_when_mapped() {
    let dir = scratch("latin1");
    let file = exports().join("online_retail.csv");
    // Customer, date, quantity, unit price and order as usual; the description as category.
    let mut no_product = vec!["report", "-t", file.to_str().unwrap(), "--out", "rep", "--quiet"];
    no_product.extend(&ONLINE_RETAIL[..10]);
    no_product.extend(["--category-col", "Description"]);
    let out = crm(&no_product, &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("line 7") && err.contains("Description") && err.contains("--encoding"), "{err}");
    no_product.extend(["--encoding", "latin-1"]);
    let out = crm(&no_product, &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn an_erp_export_with_semicolons_and_decimal_commas_from_a_config_file() {
    let dir = scratch("erp");
    let file = exports().join("erp_semicolon.csv");
    std::fs::write(
        dir.join("crm.toml"),
        format!(
            "[input]\ntransactions = {:?}\n[columns]\ncustomer = \"Kundnr\"\ndate = \"Datum\"\namount = \"Belopp\"\n\
             order = \"Ordernr\"\nmargin = \"Marginal\"\ncategory = \"Kategori\"\n[output]\nout = \"rep\"\n",
            file.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = crm(&["report", "--config", "crm.toml", "--quiet"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = json(&dir.join("rep/report.json"));
    assert_eq!(r["as_of"], "2024-02-10");
    assert_eq!(r["overview"]["customers"], 3);
    // K-100 1234.50, K-200 99.90, K-300 500; margins 300 + 30 + 100.
    assert!((r["overview"]["revenue"].as_f64().unwrap() - 1834.40).abs() < 1e-9);
    assert!((r["overview"]["margin"].as_f64().unwrap() - 430.0).abs() < 1e-9);
    assert_eq!(r["input"]["anonymous_rows"], 1);
}

#[test]
fn ambiguous_dates_fail_naming_the_option_and_day_first_reads_them() {
    let dir = scratch("ambiguous");
    let file = exports().join("ambiguous_dates.csv");
    let out = crm(&["report", "-t", file.to_str().unwrap(), "--out", "rep"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--day-first"), "{}", text(&out.stderr));
    assert!(!dir.join("rep").exists());
    let out = crm(&["report", "-t", file.to_str().unwrap(), "--out", "rep", "--day-first", "-q"], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&dir.join("rep/report.json"))["as_of"], "2024-11-12");
    let out = crm(&["report", "-t", file.to_str().unwrap(), "--out", "rep", "--month-first", "-q"], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&dir.join("rep/report.json"))["as_of"], "2024-12-11");
}

#[test]
fn a_parquet_export_gives_the_same_report_as_its_csv() {
    let dir = scratch("parquet");
    let mut reports = Vec::new();
    for name in ["online_retail.csv", "online_retail.parquet"] {
        let file = exports().join(name);
        let mut args = vec!["report", "-t", file.to_str().unwrap(), "--out", name, "--quiet"];
        args.extend(ONLINE_RETAIL);
        let out = crm(&args, &dir);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        reports.push(json(&dir.join(name).join("report.json")));
    }
    for key in ["as_of", "overview", "segments", "lifecycle", "returns", "wallet"] {
        assert_eq!(reports[0][key], reports[1][key], "{key}");
    }
    // Parquet's anonymous rows are data rows (1-based): 7, 12, 13.
    let rejected = std::fs::read_to_string(dir.join("online_retail.parquet/rejected-rows.csv")).unwrap();
    assert!(rejected.starts_with("file,row,"), "{rejected}");
    let rows: Vec<&str> = rejected.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(rows, ["7", "12", "13"]);
}

#[test]
fn a_duplicate_customer_names_the_file_and_both_lines() {
    let dir = scratch("duplicate");
    std::fs::write(dir.join("tx.csv"), "customer_id,date,amount\r\n1,2024-01-05,100\r\n").unwrap();
    // Line 3 (a bad date) is skipped and Gamma's name spans lines 4-5: the duplicate on line 6
    // is loaded row 2.
    std::fs::write(
        dir.join("cu.csv"),
        "id,name,acquisition_date\r\n1,Alfa,2024-01-01\r\n2,Beta,2024-13-45\r\n3,\"Gamma\r\nAB\",2024-02-01\r\n1,Alfa,2024-03-01\r\n",
    )
    .unwrap();
    let out = crm(&["report", "-t", "tx.csv", "--customers", "cu.csv", "--on-error", "skip", "--out", "rep"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("cu.csv, line 6: duplicate customer id `1` (first on line 2)"), "{err}");
    assert!(!dir.join("rep").exists());
}
