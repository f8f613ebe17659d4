//! Issue #13: no silent wrong answer, no lost row, no crash. One test per item.
use chrono::NaiveDate;
use crm_core::interaction::InteractionColumns;
use crm_core::time::{MAX_TIMESTAMP, MIN_TIMESTAMP};
use crm_core::{Channel, Customer, CustomerBase, Direction, Error, TransactionColumns};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn invalid_at(r: Result<CustomerBase, Error>) -> (usize, String) {
    match r {
        Err(Error::InvalidValue { row, column, message }) => {
            assert!(message.contains("1000..=9999"), "{message}");
            (row, column)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn item1_timestamps_outside_the_supported_years_are_refused_with_row_and_column() {
    let far_bc = -(1_i64 << 31) * 86_400; // ~11.7 million years BC: used to wrap to 2024
    for bad in [far_bc, i64::MAX, i64::MIN, MIN_TIMESTAMP - 1, MAX_TIMESTAMP + 1] {
        let cols = TransactionColumns::new(vec![1_i64, 2].into(), vec![0, bad], vec![1.0, 2.0]);
        assert_eq!(invalid_at(CustomerBase::from_transactions(cols)), (1, "timestamp".into()));
    }
    let edges = TransactionColumns::new(vec![1_i64, 2].into(), vec![MIN_TIMESTAMP, MAX_TIMESTAMP], vec![1.0, 2.0]);
    let base = CustomerBase::from_transactions(edges).unwrap();
    let summary = base.summary(ymd(9999, 12, 31)).unwrap();
    assert_eq!(summary.row(0).first_purchase, Some(ymd(1000, 1, 1)));
    assert_eq!(summary.row(1).first_purchase, Some(ymd(9999, 12, 31)));

    let interactions = InteractionColumns {
        customer: vec![1_i64, 1].into(),
        timestamp: vec![0, far_bc],
        channel: vec![Channel::Email; 2],
        direction: vec![Direction::Inbound; 2],
        kind: ["a", "b"].into_iter().collect(),
        ..Default::default()
    };
    let r = CustomerBase::builder().interactions(interactions).and_then(|b| b.build());
    assert_eq!(invalid_at(r), (1, "timestamp (interactions)".into()));

    let mut c = Customer::new(7);
    c.acquisition_date = Some(ymd(200_000, 1, 1));
    let r = CustomerBase::builder().customers([Customer::new(6), c]).build();
    assert_eq!(invalid_at(r), (1, "acquisition_date".into()));
}

fn small_base() -> CustomerBase {
    let day = 86_400;
    CustomerBase::from_transactions(TransactionColumns::new(
        vec![1_i64, 1, 2].into(),
        vec![19_000 * day, 19_300 * day, 19_200 * day],
        vec![10.0, 20.0, 30.0],
    ))
    .unwrap()
}

fn config_field<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::InvalidConfig { field, message }) => {
            assert!(message.contains("36500") || message.contains("1200"), "{message}");
            field
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn item2_day_counts_above_100_years_are_config_errors_naming_the_field() {
    use crm_core::funnel::{EventMatch, Funnel, FunnelPeriod, FunnelStep};
    use crm_core::scoring::{Condition, ScoringModel, ScoringRule};
    use crm_core::{FlowConfig, LifecycleConfig, SegmentConfig};
    let base = small_base();
    let as_of = ymd(2024, 12, 31);
    for days in [36_501, 1 << 31, u32::MAX] {
        let lc = LifecycleConfig { inactivity_days: days, ..Default::default() };
        assert_eq!(config_field(base.lifecycle(as_of, &lc)), "inactivity_days");
        let sc = SegmentConfig { window_days: Some(days), ..Default::default() };
        assert_eq!(config_field(base.segments(as_of, &sc)), "window_days");
        let fc = FlowConfig { inactivity_days: days, ..Default::default() };
        assert_eq!(config_field(base.flows(ymd(2022, 1, 1), as_of, &fc)), "inactivity_days");
        let purchase = |name: &str, window_days| FunnelStep {
            name: name.into(),
            event: EventMatch::Purchase { min_amount: None },
            window_days,
        };
        let funnel = Funnel { name: "f".into(), steps: vec![purchase("a", None), purchase("b", Some(days))] };
        let period = FunnelPeriod::new(ymd(2022, 1, 1), ymd(2024, 1, 1), as_of);
        assert_eq!(config_field(base.funnel(&funnel, &period)), "window_days");
        let rule = ScoringRule {
            name: "r".into(),
            weight: 1.0,
            condition: Condition::PurchaseWithin { days },
            half_life_days: None,
        };
        let model = ScoringModel { rules: vec![rule], ..Default::default() };
        assert_eq!(config_field(base.score(&model, as_of)), "days");
        let ok = ScoringModel::default();
        let outcome = EventMatch::Purchase { min_amount: None };
        assert_eq!(config_field(base.backtest(&ok, as_of, &outcome, days)), "horizon_days");
    }
    // The largest allowed value still works.
    let lc = LifecycleConfig { inactivity_days: 36_500, ..Default::default() };
    assert!(base.lifecycle(as_of, &lc).is_ok());
}

#[test]
fn item14_period_counts_are_bounded_before_allocating() {
    use crm_core::migration::MigrationMatrix;
    use crm_core::{FlowConfig, Period};
    let base = small_base();
    let r = base.flow_series(ymd(2022, 1, 1), Period::Month, 1 << 40, &FlowConfig::default());
    assert_eq!(config_field(r), "count");
    let m = MigrationMatrix::from_rates(vec!["a".into(), "b".into()], vec![vec![0.5, 0.5], vec![0.0, 1.0]]).unwrap();
    assert_eq!(config_field(m.project(&[1.0, 0.0], 1_000_000_000)), "periods");
    assert_eq!(m.project(&[1.0, 0.0], 1_200).unwrap().len(), 1_201);
}

#[test]
fn item7_unknown_fields_are_refused_with_the_closest_known_name() {
    use crm_core::definition::from_json;
    use crm_core::funnel::Funnel;
    use crm_core::process::Process;
    use crm_core::scoring::ScoringModel;
    let message = |e: Error| match e {
        Error::InvalidConfig { message, .. } => message,
        other => panic!("{other:?}"),
    };
    let toml = include_str!("../processes/web_prospect.toml")
        .replace("done_by = \"Fulfillment firm\"", "done_by = \"Fulfillment firm\"\nrequires_permision = false");
    let m = message(Process::from_toml(&toml).unwrap_err());
    assert!(m.contains("unknown field `requires_permision`, did you mean `requires_permission`?"), "{m}");
    assert!(m.contains("line "), "{m}");

    let json = r#"{"name": "f", "steps": [{"name": "a", "event": {"type": "purchase"}, "windw_days": 7}]}"#;
    let m = message(from_json::<Funnel>(json, "funnel").unwrap_err());
    assert!(m.contains("unknown field `windw_days`, did you mean `window_days`?"), "{m}");

    let rule = |body: &str| format!(r#"{{"rules": [{{"name": "r", {body}}}]}}"#);
    let json = rule(r#""wieght": 2, "weight": 1, "condition": {"type": "purchase_within", "days": 30}"#);
    let m = message(from_json::<ScoringModel>(&json, "model").unwrap_err());
    assert!(m.contains("unknown field `wieght`, did you mean `weight`?"), "{m}");
    let json = rule(r#""weight": 1, "condition": {"type": "purchase_within", "days": 30, "dayz": 5}"#);
    let m = message(from_json::<ScoringModel>(&json, "model").unwrap_err());
    assert!(m.contains("unknown field `dayz`, did you mean `days`?"), "{m}");
}

#[test]
fn item8_minus_zero_ties_with_zero_and_ties_go_by_ascending_id() {
    use crm_core::{SegmentConfig, ValueMeasure};
    let mut cols = TransactionColumns::new(vec![1_i64, 2, 3].into(), vec![0; 3], vec![5.0, 5.0, 5.0]);
    cols.margin = Some(vec![-0.0, 0.0, -1.0]);
    let base = CustomerBase::from_transactions(cols).unwrap();
    let config = SegmentConfig { measure: ValueMeasure::Margin, window_days: None, ..Default::default() };
    let s = base.segments(ymd(1970, 1, 1), &config).unwrap();
    assert_eq!(s.rank, vec![Some(0), Some(1), Some(2)], "values {:?}", s.value);
}

#[test]
fn item10_scalar_helpers_refuse_impossible_values_naming_the_argument() {
    use crm_core::clv::{discounted_clv, retention_clv, simple_clv};
    use crm_core::stats::sample_size;
    let field = |e: Error| match e {
        Error::InvalidConfig { field, .. } => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(retention_clv(100.0, 2.0, 0.1).unwrap_err()), "retention"); // was -222
    assert_eq!(field(retention_clv(100.0, 1.0, 0.0).unwrap_err()), "retention"); // was inf
    assert_eq!(field(retention_clv(f64::NAN, 0.5, 0.1).unwrap_err()), "margin");
    assert_eq!(field(discounted_clv(100.0, 2.0, -1.0).unwrap_err()), "discount"); // was inf
    assert_eq!(field(discounted_clv(100.0, -2.0, 0.1).unwrap_err()), "duration_years");
    assert_eq!(field(simple_clv(-1.0, 10.0, 1.0).unwrap_err()), "purchases_per_year");
    assert_eq!(field(sample_size(0.5, 0.6, 0.0, 0.8).unwrap_err()), "alpha"); // was 2^64 - 1
    assert_eq!(field(sample_size(0.5, 0.6, 0.05, 0.0).unwrap_err()), "power");
    assert_eq!(field(sample_size(1.5, 0.6, 0.05, 0.8).unwrap_err()), "p1");
    assert_eq!(field(sample_size(0.5, 0.5 + 1e-12, 0.05, 0.8).unwrap_err()), "p2");
    assert_eq!(sample_size(0.5, 0.5, 0.05, 0.8).unwrap(), None);
    assert_eq!(retention_clv(100.0, 1.0, 0.25).unwrap(), 400.0);
}

#[test]
fn item12_a_later_funnel_step_needs_a_later_distinct_event() {
    use crm_core::funnel::{EventMatch, Funnel, FunnelPeriod, FunnelStep};
    let day = 86_400;
    // Customer 1 buys once; customer 2 twice (10 days apart); customer 3 twice the same day.
    let base = CustomerBase::from_transactions(TransactionColumns::new(
        vec![1_i64, 2, 2, 3, 3].into(),
        vec![100 * day, 100 * day, 110 * day, 100 * day, 100 * day + 60],
        vec![10.0; 5],
    ))
    .unwrap();
    let purchase = |name: &str| FunnelStep {
        name: name.into(),
        event: EventMatch::Purchase { min_amount: None },
        window_days: None,
    };
    let funnel = Funnel { name: "repeat".into(), steps: vec![purchase("first"), purchase("second")] };
    let period = FunnelPeriod::new(ymd(1970, 1, 1), ymd(1971, 1, 1), ymd(1971, 1, 1));
    let r = base.funnel(&funnel, &period).unwrap();
    assert_eq!((r.steps[0].entered, r.steps[1].entered), (3, 2)); // was 3 / 3
    let t = r.steps[1].time_to_convert.as_ref().unwrap();
    assert_eq!(t.median, 5.0); // 0 and 10 days (was 0)
}

#[test]
fn item14_sample_sizes_are_bounded() {
    use crm_core::sample::{MAX_CUSTOMERS, SampleConfig};
    let field = |c: SampleConfig| match c.validate() {
        Err(Error::InvalidConfig { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(SampleConfig { customers: MAX_CUSTOMERS + 1, ..Default::default() }), "customers");
    assert_eq!(field(SampleConfig { days: 1 << 31, ..Default::default() }), "days");
    assert_eq!(field(SampleConfig { start: ymd(9999, 1, 1), ..Default::default() }), "start");
    assert!(SampleConfig::default().validate().is_ok());
}

/// A file in a directory of this test process (under the target folder, not /tmp).
fn csv(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("crm-hardening-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn skip<T: Default>(set: impl FnOnce(&mut T, crm_core::ingest::CsvOptions)) -> T {
    let mut spec = T::default();
    set(&mut spec, crm_core::ingest::CsvOptions { on_error: crm_core::ingest::OnError::Skip, ..Default::default() });
    spec
}

#[test]
fn item15_unknown_and_duplicate_customers_from_csv_name_the_file_line() {
    use crm_core::ingest::{CustomerCsv, InteractionCsv, TransactionCsv};
    use crm_core::{FileLine, Key, KeyColumn};
    let cu_spec: CustomerCsv = skip(|s: &mut CustomerCsv, o| s.options = o);
    let tx_spec: TransactionCsv = skip(|s: &mut TransactionCsv, o| s.options = o);
    let ix_spec: InteractionCsv = skip(|s: &mut InteractionCsv, o| s.options = o);
    // CRLF; customer 1's name spans lines 2-3; line 4 has a bad date (skipped): the loaded
    // rows are on lines 2, 5 and 6, and the third repeats the first.
    let cu = csv(
        "customers.csv",
        "id,name,acquisition_date\r\n1,\"Alfa AB\r\nHQ\",2024-01-01\r\n2,Beta,2024-13-45\r\n3,Gamma,2024-02-01\r\n1,Alfa again,2024-03-01\r\n",
    );
    let mut b = CustomerBase::builder();
    assert_eq!(b.add_customers_csv(&cu, &cu_spec).unwrap().rows_rejected, 1);
    let at = |path: &std::path::Path, line| Some(Box::new(FileLine { path: path.display().to_string(), line }));
    let e = b.build().unwrap_err();
    assert_eq!(
        e,
        Error::DuplicateCustomer { row: 2, first_row: 0, customer: "1".into(), at: at(&cu, 6), first_at: at(&cu, 2) }
    );
    assert_eq!(e.to_string(), format!("{}, line 6: duplicate customer id `1` (first on line 2)", cu.display()));

    // Transactions: line 3 is skipped (bad date), line 4 blank; customer 9 on line 6 is the
    // third loaded row of the file, after two rows given as columns.
    let good = csv("good_customers.csv", "id,name\r\n1,Alfa\r\n3,Gamma\r\n");
    let tx = csv(
        "sales.csv",
        "customer_id,date,amount\r\n1,2024-01-05,10\r\n3,not a date,5\r\n\r\n3,2024-01-06,7\r\n9,2024-01-07,8\r\n",
    );
    let mut b = CustomerBase::builder();
    b.add_customers_csv(&good, &cu_spec).unwrap();
    b.add_transactions(TransactionColumns::new(KeyColumn::Int(vec![1, 3]), vec![0, 0], vec![1.0, 1.0])).unwrap();
    b.add_transactions_csv(&tx, &tx_spec).unwrap();
    let e = b.build().unwrap_err();
    match &e {
        Error::UnknownCustomer { row, customer, at: found, .. } => {
            assert_eq!((*row, customer.as_str(), found), (4, "9", &at(&tx, 6)));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with(&format!("{}, line 6, column `customer (transactions)`: unknown customer `9`", tx.display())),
        "{e}"
    );

    // Interactions: customer 7 on line 4, after a row with an unknown channel on line 3.
    let ix = csv(
        "contacts.csv",
        "customer_id,date,channel,direction,kind\n1,2024-01-05,email,outbound,campaign\n3,2024-01-06,pigeon,inbound,question\n7,2024-01-07,phone,inbound,complaint\n",
    );
    let mut b = CustomerBase::builder().customers([Customer::new(Key::Int(1)), Customer::new(Key::Int(3))]);
    b.add_interactions_csv(&ix, &ix_spec).unwrap();
    match b.try_build() {
        Err(refused) => {
            assert!(matches!(&refused.error, Error::UnknownCustomer { row: 1, at: found, .. } if *found == at(&ix, 4)));
            // Rows given as columns keep their row, with no line.
            let mut b = *refused.builder;
            b.add_customers([Customer::new(Key::Int(7)), Customer::new(Key::Int(7))]);
            match b.build() {
                Err(Error::DuplicateCustomer { row: 3, first_row: 2, at: None, first_at: None, .. }) => {}
                other => panic!("{other:?}"),
            }
        }
        Ok(_) => panic!("customer 7 is unknown"),
    }
}
