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
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("crm-ingest-{}", std::process::id()));
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

// ---- Real sales exports (fixtures in tests/data/exports; figures worked in its README) ----

fn export(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/exports").join(name)
}

/// The mapping of the "Online Retail" export.
fn online_retail() -> TransactionCsv {
    TransactionCsv {
        customer: "CustomerID".into(),
        timestamp: "InvoiceDate".into(),
        quantity: Some("Quantity".into()),
        unit_price: Some("UnitPrice".into()),
        order: Some("InvoiceNo".into()),
        product: Some("StockCode".into()),
        cancellation_prefix: Some("C".into()),
        ..Default::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn online_retail_export() {
    let (cols, report) = read_transactions(export("online_retail.csv"), &online_retail()).unwrap();
    // 14 records (line 9-10 is one record with a quoted newline), 3 of them anonymous.
    assert_eq!((report.rows_read, report.rows_loaded, report.rows_rejected), (14, 11, 0));
    assert_eq!(report.anonymous.rows, 3);
    assert_eq!(report.anonymous.lines, vec![8, 14, 15]);
    // 6 x 4.25 - 1 x 4.25 + 2 x 7.65
    assert!(close(report.anonymous.revenue, 36.55), "{}", report.anonymous.revenue);
    // Customer returns: C536370 (-2 x 1.85) and C536374 (prefix only, 1 x 3.39).
    let r = report.returns;
    assert_eq!((r.customers.rows, r.customers.orders), (2, 2));
    assert!(close(r.customers.value, 7.09), "{}", r.customers.value);
    assert_eq!((r.anonymous.rows, r.anonymous.orders), (1, 1));
    assert!(close(r.anonymous.value, 4.25));
    // The last positive sale of a customer is 1/5/2011; the return on 1/12/2011 does not move it.
    assert_eq!(report.last_sale, Some(date("2011-01-05")));
    assert_eq!(report.first_day, Some(date("2010-12-01")));
    let d = &report.detected;
    assert_eq!((d.delimiter, d.decimal, d.encoding.as_str(), d.day_first), (',', '.', "utf-8", Some(false)));
    assert_eq!(d.date_format, "M/D/YYYY H:MM");
    // 17850.0 is the integer id 17850.
    assert_eq!(cols.customer.get(0), 17850.into());
    assert!(matches!(cols.customer, KeyColumn::Int(_)));
    assert_eq!(cols.timestamp[0], secs("2010-12-01") + 8 * 3600 + 26 * 60);
    // Line 11: C536370, -2 x 1.85, loaded negative.
    assert!(close(cols.amount[7], -3.7));
    assert!(close(cols.amount[10], -3.39));
    let base = CustomerBase::from_transactions(cols).unwrap();
    let s = base.summary(date("2011-01-31")).unwrap();
    // Customers in id order: 12583, 13047, 17850.
    assert_eq!(s.purchases, vec![1, 2, 2]);
    for (got, want) in s.revenue.iter().zip([44.21, 76.13, 65.04]) {
        assert!(close(*got, want), "{got} vs {want}");
    }
}

#[test]
fn latin1_descriptions_are_decoded_and_unused_ones_never_fail() {
    // UTF-8 (the default): the Latin-1 byte of "Café" is in an unused column.
    assert!(read_transactions(export("online_retail.csv"), &online_retail()).is_ok());
    // Mapped, it is a row problem naming line and column and the encoding option.
    let spec = TransactionCsv { product: Some("Description".into()), ..online_retail() };
    match read_transactions(export("online_retail.csv"), &spec) {
        Err(Error::Csv { problems, total, .. }) => {
            assert_eq!(total, 1);
            assert_eq!((problems[0].line, problems[0].column.as_str()), (7, "Description"));
            assert!(problems[0].message.contains("encoding"), "{}", problems[0].message);
        }
        other => panic!("{other:?}"),
    }
    let latin1 = TransactionCsv {
        options: CsvOptions { encoding: crm_core::ingest::Encoding::Latin1, ..Default::default() },
        ..spec
    };
    let (cols, report) = read_transactions(export("online_retail.csv"), &latin1).unwrap();
    assert_eq!(report.detected.encoding, "latin-1");
    let product = cols.product.unwrap();
    assert_eq!(product.display(5), "Café POSTER");
    assert_eq!(product.display(2), "CREAM CUPID HEARTS COAT HANGER, LARGE");
    assert_eq!(product.display(6), "BATH BUILDING BLOCK\nWORD");
}

#[test]
fn erp_export_with_semicolons_decimal_commas_and_bom() {
    let spec = TransactionCsv {
        customer: "Kundnr".into(),
        timestamp: "Datum".into(),
        amount: "Belopp".into(),
        order: Some("Ordernr".into()),
        margin: Some("Marginal".into()),
        category: Some("Kategori".into()),
        ..Default::default()
    };
    let (cols, report) = read_transactions(export("erp_semicolon.csv"), &spec).unwrap();
    let d = &report.detected;
    assert_eq!((d.delimiter, d.decimal, d.encoding.as_str()), (';', ',', "utf-8 with BOM"));
    assert_eq!(d.date_format, "D.M.YYYY H:MM");
    assert_eq!((report.rows_read, report.rows_loaded, report.anonymous.rows), (6, 5, 1));
    assert_eq!(report.anonymous.lines, vec![6]);
    assert!(close(report.anonymous.revenue, 10.0));
    assert_eq!(cols.amount, vec![1234.5, 65.5, 99.9, -65.5, 500.0]);
    assert_eq!(cols.margin, Some(vec![300.0, 20.0, 30.0, -20.0, 100.0]));
    assert_eq!(cols.product.as_ref().unwrap().display(2), "Kläder");
    assert_eq!(cols.timestamp[2], secs("2024-01-17") + 14 * 3600 + 1800);
    assert_eq!((report.returns.customers.rows, report.returns.customers.orders), (1, 1));
    assert!(close(report.returns.customers.value, 65.5));
    assert_eq!(report.last_sale, Some(date("2024-02-10")));
    assert_eq!(report.first_day, Some(date("2024-01-05")));
    let base = CustomerBase::from_transactions(cols).unwrap();
    let s = base.summary(date("2024-03-01")).unwrap();
    assert_eq!(s.purchases, vec![1, 1, 1]); // K-100 (A1), K-200, K-300
    assert_eq!(s.revenue, vec![1234.5, 99.9, 500.0]);
}

#[test]
fn ambiguous_dates_need_the_day_first_option() {
    let p = export("ambiguous_dates.csv");
    match read_transactions(&p, &TransactionCsv::default()) {
        Err(Error::Csv { problems, .. }) => {
            assert_eq!(problems[0].column, "date");
            assert!(problems[0].message.contains("ambiguous") && problems[0].message.contains("day_first"));
        }
        other => panic!("{other:?}"),
    }
    let day_first =
        |v| TransactionCsv { options: CsvOptions { day_first: Some(v), ..Default::default() }, ..Default::default() };
    let (cols, report) = read_transactions(&p, &day_first(true)).unwrap();
    assert_eq!(cols.timestamp, vec![secs("2024-04-03"), secs("2024-06-05"), secs("2024-11-12")]);
    assert_eq!((report.detected.day_first, report.detected.date_format.as_str()), (Some(true), "D/M/YYYY"));
    let (cols, _) = read_transactions(&p, &day_first(false)).unwrap();
    assert_eq!(cols.timestamp, vec![secs("2024-03-04"), secs("2024-05-06"), secs("2024-12-11")]);
    // Both orders in one file cannot be read.
    let mixed = file("mixed_dates.csv", "customer_id,date,amount\n1,13/1/2024,1\n1,1/13/2024,1\n");
    match read_transactions(&mixed, &TransactionCsv::default()) {
        Err(Error::Csv { problems, .. }) => {
            assert!(
                problems[0].message.contains("line 2") && problems[0].message.contains("line 3"),
                "{}",
                problems[0].message
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_row_in_a_crlf_file_with_a_quoted_newline() {
    let spec = TransactionCsv {
        customer: "CustomerID".into(),
        timestamp: "InvoiceDate".into(),
        quantity: Some("Quantity".into()),
        unit_price: Some("UnitPrice".into()),
        order: Some("InvoiceNo".into()),
        ..Default::default()
    };
    // Line 2-3 is one record; the bad quantity is on line 4.
    match read_transactions(export("bad_row.csv"), &spec) {
        Err(Error::Csv { path, problems, total }) => {
            assert!(path.ends_with("bad_row.csv"));
            assert_eq!(total, 1);
            assert_eq!((problems[0].line, problems[0].column.as_str()), (4, "Quantity"));
        }
        other => panic!("{other:?}"),
    }
    let skip = TransactionCsv { options: CsvOptions { on_error: OnError::Skip, ..Default::default() }, ..spec };
    let (cols, report) = read_transactions(export("bad_row.csv"), &skip).unwrap();
    assert_eq!((report.rows_read, report.rows_loaded, report.rows_rejected), (3, 2, 1));
    assert_eq!(report.rejected.len(), 1);
    assert_eq!((report.rejected[0].line, report.rejected[0].column.as_str()), (4, "Quantity"));
    assert_eq!(cols.amount, vec![6.0, 5.0]);
}

#[test]
fn invalid_utf8_in_skip_mode_loses_no_other_row() {
    let mut bytes = b"customer_id,date,amount,note\r\n1,2024-01-01,10,ok\r\n".to_vec();
    bytes.extend_from_slice(b"2\xff,2024-01-02,20,ok\r\n3,2024-01-03,30,\xe9t\xe9\r\n4,2024-01-04,40,ok\r\n");
    let p = file("bad_utf8.csv", "");
    std::fs::write(&p, &bytes).unwrap();
    let skip =
        TransactionCsv { options: CsvOptions { on_error: OnError::Skip, ..Default::default() }, ..Default::default() };
    let (cols, report) = read_transactions(&p, &skip).unwrap();
    assert_eq!((report.rows_read, report.rows_loaded, report.rows_rejected), (4, 3, 1));
    assert_eq!((report.rejected[0].line, report.rejected[0].column.as_str()), (3, "customer_id"));
    assert_eq!(cols.customer, KeyColumn::Int(vec![1, 3, 4]));
}

#[test]
fn every_rejected_row_is_listed_uncapped_but_problems_are_capped() {
    let mut text = String::from("customer_id,date,amount\n");
    for k in 0..250 {
        text.push_str(&format!("{k},2024-01-01,{}\n", if k % 2 == 0 { "x" } else { "1" }));
    }
    let p = file("many_bad.csv", &text);
    let skip =
        TransactionCsv { options: CsvOptions { on_error: OnError::Skip, ..Default::default() }, ..Default::default() };
    let (_, report) = read_transactions(&p, &skip).unwrap();
    assert_eq!(
        (report.rows_rejected, report.rejected.len(), report.problems.len(), report.problems_total),
        (125, 125, 100, 125)
    );
    assert_eq!(report.rejected[124].line, 250);
    match read_transactions(&p, &TransactionCsv::default()) {
        Err(Error::Csv { problems, total, .. }) => assert_eq!((problems.len(), total), (100, 125)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_and_doubled_columns() {
    let p = file("cols.csv", "customer_id,date,amount,amount\n1,2024-01-01,1,2\n");
    let spec = TransactionCsv { order: Some("Invoice".into()), ..Default::default() };
    let unique = file("cols1.csv", "customer_id,date,amount\n1,2024-01-01,1\n");
    match read_transactions(&unique, &spec) {
        Err(Error::Csv { problems, .. }) => {
            assert_eq!(problems[0].column, "Invoice");
            assert!(problems[0].message.contains("\"customer_id\", \"date\", \"amount\""), "{}", problems[0].message);
        }
        other => panic!("{other:?}"),
    }
    match read_transactions(&p, &TransactionCsv::default()) {
        Err(Error::Csv { problems, .. }) => assert!(problems[0].message.contains("twice"), "{}", problems[0].message),
        other => panic!("{other:?}"),
    }
}

#[test]
fn specs_read_from_toml_and_refuse_unknown_keys() {
    let spec: TransactionCsv = toml::from_str(
        "customer = \"CustomerID\"\ntimestamp = \"InvoiceDate\"\nquantity = \"Quantity\"\nunit_price = \"UnitPrice\"\n\
         order = \"InvoiceNo\"\nproduct = \"StockCode\"\ncancellation_prefix = \"C\"\n[options]\nencoding = \"latin-1\"\n",
    )
    .unwrap();
    assert_eq!(
        spec,
        TransactionCsv {
            options: CsvOptions { encoding: crm_core::ingest::Encoding::Latin1, ..Default::default() },
            ..online_retail()
        }
    );
    assert!(toml::from_str::<TransactionCsv>("customr = \"x\"").is_err());
    assert!(toml::from_str::<CsvOptions>("delimter = \";\"").is_err());
    assert!(toml::from_str::<CustomerCsv>("idd = \"x\"").is_err());
    assert!(toml::from_str::<InteractionCsv>("chanel = \"x\"").is_err());
}

#[test]
fn large_file_parsed_in_parts_equals_one_part() {
    // Over the parallel threshold (4 MiB): parts are cut at record ends, quotes included.
    let mut text = String::from("InvoiceNo,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\r\n");
    let mut expected_anon = 0usize;
    let mut k = 0u64;
    while text.len() < 6 << 20 {
        let id = if k % 7 == 0 {
            expected_anon += 1;
            String::new()
        } else {
            format!("{}.0", 10_000 + k % 997)
        };
        let desc = if k % 11 == 0 { "\"A, \"\"B\"\"\nC\"" } else { "PLAIN" };
        text.push_str(&format!(
            "{}{},{desc},{},{}/{}/2011 {}:05,1.25,{id}\r\n",
            if k % 13 == 0 { "C" } else { "" },
            500_000 + k / 3,
            (k % 5) as i64 - 1,
            1 + k % 12,
            1 + k % 28,
            k % 24
        ));
        k += 1;
    }
    text.push_str("999,x,1,12/31/2011 1:00,zzz,5\r\n");
    let p = file("large.csv", &text);
    let spec = TransactionCsv {
        customer: "CustomerID".into(),
        timestamp: "InvoiceDate".into(),
        quantity: Some("Quantity".into()),
        unit_price: Some("UnitPrice".into()),
        order: Some("InvoiceNo".into()),
        cancellation_prefix: Some("C".into()),
        options: CsvOptions { on_error: OnError::Skip, ..Default::default() },
        ..Default::default()
    };
    let (cols, report) = read_transactions(&p, &spec).unwrap();
    assert_eq!(report.rows_read as u64, k + 1);
    assert_eq!(report.anonymous.rows, expected_anon);
    assert_eq!(report.rows_rejected, 1);
    // Every record spans one line except the quoted ones, which span two.
    let quoted_before = (0..k).filter(|i| i % 11 == 0).count() as u64;
    assert_eq!(report.rejected[0].line, 2 + k + quoted_before);
    assert_eq!(report.rejected[0].column, "UnitPrice");
    // Row by row the same as a plain reading of the text.
    let mut n = 0usize;
    for (i, rowk) in (0..k).filter(|i| i % 7 != 0).enumerate() {
        let q = (rowk % 5) as f64 - 1.0;
        let ret = q < 0.0 || rowk % 13 == 0;
        let a = if ret { -(q * 1.25).abs() } else { q * 1.25 };
        assert_eq!(cols.amount[i], a, "row {rowk}");
        assert_eq!(cols.customer.get(i), crm_core::Key::Int(10_000 + (rowk % 997) as i64));
        n += 1;
    }
    assert_eq!(n, cols.len());
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_equals_csv() {
    use crm_core::ingest::read_transactions_parquet;
    let (csv, csv_report) = read_transactions(export("online_retail.csv"), &online_retail()).unwrap();
    let (pq, pq_report) = read_transactions_parquet(export("online_retail.parquet"), &online_retail()).unwrap();
    assert_eq!(pq, csv);
    assert_eq!((pq_report.rows_read, pq_report.rows_loaded, pq_report.rows_rejected), (14, 11, 0));
    // Anonymous rows are data rows 7, 12 and 13 (lines 8, 14 and 15 of the CSV).
    assert_eq!(pq_report.anonymous.lines, vec![7, 12, 13]);
    assert_eq!(pq_report.anonymous.rows, csv_report.anonymous.rows);
    assert!(close(pq_report.anonymous.revenue, csv_report.anonymous.revenue));
    assert_eq!(pq_report.returns, csv_report.returns);
    assert_eq!((pq_report.last_sale, pq_report.first_day), (csv_report.last_sale, csv_report.first_day));
    assert_eq!(pq_report.detected.encoding, "parquet");
    // A missing column lists the file's columns.
    let bad = TransactionCsv { order: Some("Invoice".into()), ..online_retail() };
    match read_transactions_parquet(export("online_retail.parquet"), &bad) {
        Err(Error::Csv { problems, .. }) => {
            assert!(problems[0].message.contains("InvoiceNo"), "{}", problems[0].message)
        }
        other => panic!("{other:?}"),
    }
}
