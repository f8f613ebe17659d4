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
    assert_eq!(invalid_at(r), (1, "timestamp".into()));

    let mut c = Customer::new(7);
    c.acquisition_date = Some(ymd(200_000, 1, 1));
    let r = CustomerBase::builder().customers([Customer::new(6), c]).build();
    assert_eq!(invalid_at(r), (1, "acquisition_date".into()));
}
