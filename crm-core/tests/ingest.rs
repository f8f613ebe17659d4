//! CSV import: every bad value reported by line and column, nothing dropped silently.
mod common;
use common::*;
use crm_core::ingest::{
    AttributeType, CsvOptions, CustomerCsv, IdKind, InteractionCsv, OnError, TransactionCsv, read_customers,
    read_interactions, read_transactions,
};
use crm_core::{AttributeValue, Channel, CustomerBase, Error, KeyColumn};
use std::path::PathBuf;

fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crm-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_bad_value_is_reported_with_line_and_column() {
    let p = file(
        "bad.csv",
        "customer_id,date,amount\n1,2024-01-01,10\n2,2024-13-01,5\n3,2024-01-03,abc\n,2024-01-04,1\n4,2024-01-05,NaN\n",
    );
    match read_transactions(&p, &TransactionCsv::default()) {
        Err(Error::Csv { problems, total, .. }) => {
            // Line 5 has no customer id: an anonymous row, not a bad value.
            assert_eq!(total, 3);
            let at: Vec<(u64, &str)> = problems.iter().map(|p| (p.line, p.column.as_str())).collect();
            assert_eq!(at, vec![(3, "date"), (4, "amount"), (6, "amount")]);
            assert!(problems[2].message.contains("not a finite number"), "{}", problems[2].message);
        }
        other => panic!("{other:?}"),
    }
    // Skip mode loads the good row and reports the rejected ones.
    let spec =
        TransactionCsv { options: CsvOptions { on_error: OnError::Skip, ..Default::default() }, ..Default::default() };
    let (cols, report) = read_transactions(&p, &spec).unwrap();
    assert_eq!((report.rows_read, report.rows_loaded, report.rows_rejected), (5, 1, 3));
    assert_eq!((report.anonymous.rows, report.anonymous.revenue, &report.anonymous.lines[..]), (1, 1.0, &[5][..]));
    let rejected: Vec<(u64, &str)> = report.rejected.iter().map(|p| (p.line, p.column.as_str())).collect();
    assert_eq!(rejected, vec![(3, "date"), (4, "amount"), (6, "amount")]);
    assert_eq!(cols.customer, KeyColumn::Int(vec![1]));
}

#[test]
fn configurable_columns_delimiter_and_date_format() {
    let p = file("semi.csv", "kund;datum;belopp;marginal\nA-1;05.01.2024;100,5;30\nA-2;06.01.2024;20;5\n");
    let spec = TransactionCsv {
        customer: "kund".into(),
        timestamp: "datum".into(),
        amount: "belopp".into(),
        margin: Some("marginal".into()),
        options: CsvOptions {
            delimiter: Some(';'),
            decimal: Some('.'),
            date_formats: vec!["%d.%m.%Y".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    // With a decimal point asked for, "100,5" is not a number: reported, not coerced.
    match read_transactions(&p, &spec) {
        Err(Error::Csv { problems, .. }) => {
            assert_eq!((problems[0].line, problems[0].column.as_str()), (2, "belopp"));
            assert!(problems[0].message.contains("decimal = \",\""), "{}", problems[0].message);
        }
        other => panic!("{other:?}"),
    }
    // Found out from the file when not given.
    let found = TransactionCsv { options: CsvOptions { decimal: None, ..spec.options.clone() }, ..spec.clone() };
    let (cols, report) = read_transactions(&p, &found).unwrap();
    assert_eq!(cols.amount, vec![100.5, 20.0]);
    assert_eq!(report.detected.decimal, ',');
    let p = file("semi2.csv", "kund;datum;belopp;marginal\nA-1;05.01.2024;100.5;30\nA-2;06.01.2024 13:30;20;5\n");
    let spec = TransactionCsv {
        options: CsvOptions { date_formats: vec!["%d.%m.%Y".into(), "%d.%m.%Y %H:%M".into()], ..spec.options.clone() },
        ..spec
    };
    let (cols, _) = read_transactions(&p, &spec).unwrap();
    assert_eq!(cols.customer, KeyColumn::from(vec!["A-1", "A-2"]));
    assert_eq!(cols.timestamp, vec![secs("2024-01-05"), secs("2024-01-06") + 13 * 3600 + 1800]);
    assert_eq!(cols.margin, Some(vec![30.0, 5.0]));
}

#[test]
fn missing_column_and_missing_file() {
    let p = file("nocol.csv", "id,date,amount\n1,2024-01-01,1\n");
    match read_transactions(&p, &TransactionCsv::default()) {
        Err(Error::Csv { problems, .. }) => {
            assert_eq!((problems[0].line, problems[0].column.as_str()), (1, "customer_id"));
        }
        other => panic!("{other:?}"),
    }
    let e = read_transactions("/nonexistent/x.csv", &TransactionCsv::default()).unwrap_err();
    assert!(matches!(e, Error::Io { not_found: true, .. }), "{e}");
}

#[test]
fn id_kinds() {
    // "007" is not a plain integer: with Auto the ids stay strings, so "007" and "7" differ.
    let p = file("ids.csv", "customer_id,date,amount\n007,2024-01-01,1\n7,2024-01-01,1\n");
    let (cols, _) = read_transactions(&p, &TransactionCsv::default()).unwrap();
    assert_eq!(cols.customer, KeyColumn::from(vec!["007", "7"]));
    let spec =
        TransactionCsv { options: CsvOptions { id_kind: IdKind::Int, ..Default::default() }, ..Default::default() };
    let p2 = file("ids2.csv", "customer_id,date,amount\n7,2024-01-01,1\nx,2024-01-01,1\n");
    match read_transactions(&p2, &spec) {
        Err(Error::Csv { problems, .. }) => {
            assert_eq!((problems[0].line, problems[0].column.as_str()), (3, "customer_id"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ragged_line_is_reported() {
    let p = file("ragged.csv", "customer_id,date,amount\n1,2024-01-01,1\n2,2024-01-01\n3,2024-01-01,3\n");
    match read_transactions(&p, &TransactionCsv::default()) {
        Err(Error::Csv { problems, total, .. }) => {
            assert_eq!(total, 1);
            assert_eq!(problems[0].line, 3);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn customers_with_permissions_and_typed_attributes() {
    let p = file(
        "customers.csv",
        "id,name,industry,acquisition_date,acquisition_channel,acquisition_cost,permission_email,permission_phone,lease_end,trucks,region\n\
         1,Alfa AB,logistics,2023-02-01,fair,150,yes,2023-03-01,2025-03-31,4,north\n\
         2,Beta,retail,,web,,no,,,,\n",
    );
    let mut spec = CustomerCsv::default();
    spec.attribute_types.insert("lease_end".into(), AttributeType::Date);
    spec.attribute_types.insert("trucks".into(), AttributeType::Number);
    let (customers, report) = read_customers(&p, &spec).unwrap();
    assert_eq!(report.rows_loaded, 2);
    let a = &customers[0];
    assert_eq!(a.id, Some(1.into()));
    assert_eq!(a.acquisition_cost, Some(150.0));
    assert!(a.permits(Channel::Email) && a.permits(Channel::Phone));
    assert_eq!(a.attributes["lease_end"], AttributeValue::Date(date("2025-03-31")));
    assert_eq!(a.attributes["trucks"], AttributeValue::Number(4.0));
    assert_eq!(a.attributes["region"], AttributeValue::Text("north".into()));
    assert!(!customers[1].permits(Channel::Email));
    assert!(customers[1].attributes.is_empty());
    let bad = file("badcust.csv", "id,trucks,permission_pigeon\n1,many,yes\n");
    match read_customers(&bad, &spec) {
        Err(Error::Csv { problems, .. }) => {
            let cols: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
            assert_eq!(cols, vec!["trucks", "permission_pigeon"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn interactions_file() {
    let p = file(
        "ix.csv",
        "customer_id,date,channel,direction,kind,outcome,cost\n1,2024-01-01,e-mail,outbound,campaign,yes,1.5\n1,2024-01-02,Call Center,inbound,complaint,,\n2,2024-01-03,pigeon,inbound,x,,\n",
    );
    match read_interactions(&p, &InteractionCsv::default()) {
        Err(Error::Csv { problems, .. }) => assert_eq!((problems[0].line, problems[0].column.as_str()), (4, "channel")),
        other => panic!("{other:?}"),
    }
    let spec =
        InteractionCsv { options: CsvOptions { on_error: OnError::Skip, ..Default::default() }, ..Default::default() };
    let (cols, report) = read_interactions(&p, &spec).unwrap();
    assert_eq!(report.rows_rejected, 1);
    assert_eq!(cols.channel, vec![Channel::Email, Channel::CallCentre]);
    assert_eq!(cols.cost, Some(vec![1.5, 0.0]));
    let base = CustomerBase::builder().interactions(cols).unwrap().build().unwrap();
    let ix = base.interactions();
    assert_eq!(ix.kinds().iter().collect::<Vec<_>>(), vec!["campaign", "complaint"]);
    assert_eq!(ix.outcomes().iter().collect::<Vec<_>>(), vec!["yes"]);
    assert_eq!(ix.of(0).outcome, &[0, crm_core::interaction::NO_OUTCOME]);
}

#[test]
fn base_from_csv() {
    let p = file("ok.csv", "customer_id,date,amount\n2,2024-01-01,10\n1,2024-01-02,20\n2,2024-02-01,5\n");
    let (base, report) = CustomerBase::from_csv(&p, &TransactionCsv::default()).unwrap();
    assert_eq!(report.rows_loaded, 3);
    let s = base.summary(date("2024-12-31")).unwrap();
    assert_eq!(s.revenue[1], 15.0);
}
