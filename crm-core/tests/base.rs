//! Building a base: interning, customer table checks, bad input named by row and column.
mod common;
use common::*;
use crm_core::{Customer, CustomerBase, Error, KeyColumn, TransactionColumns};

#[test]
fn ids_are_numbered_in_ascending_order_whatever_the_row_order() {
    let b = CustomerBase::from_transactions(TransactionColumns::new(
        vec![30_i64, 10, 20, 10].into(),
        vec![0; 4],
        vec![1.0, 2.0, 3.0, 4.0],
    ))
    .unwrap();
    assert_eq!(b.ids(), &KeyColumn::Int(vec![10, 20, 30]));
    assert_eq!(b.index_of(&20.into()), Some(1));
    assert_eq!(b.transactions().of(0).amount, &[2.0, 4.0]);
}

#[test]
fn unknown_customer_is_named_with_its_first_row() {
    let r = CustomerBase::builder()
        .customers([Customer::new("a")])
        .transactions(tx(&[
            ("a", "2024-01-01", 1.0),
            ("zz", "2024-01-02", 1.0),
            ("x", "2024-01-03", 1.0),
            ("zz", "2024-01-04", 1.0),
        ]))
        .unwrap()
        .build();
    match r {
        Err(Error::UnknownCustomer { row, customer, .. }) => assert_eq!((row, customer.as_str()), (1, "zz")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn duplicate_customer_ids_are_refused() {
    let r = CustomerBase::builder().customers([Customer::new(1), Customer::new(2), Customer::new(1)]).build();
    match r {
        Err(e @ Error::DuplicateCustomer { .. }) => {
            assert_eq!(
                e,
                Error::DuplicateCustomer { row: 2, first_row: 0, customer: "1".into(), at: None, first_at: None }
            );
            assert!(e.to_string().contains("duplicate customer id `1`"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn non_finite_amounts_and_mismatched_lengths_are_named() {
    let mut t = tx(&[("a", "2024-01-01", 1.0), ("a", "2024-01-02", f64::NAN)]);
    let e = CustomerBase::from_transactions(t.clone()).unwrap_err();
    assert_eq!(e.to_string(), "row 1, column `amount`: NaN is not a finite number");
    t.amount = vec![1.0];
    let e = CustomerBase::from_transactions(t.clone()).unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { ref column, expected: 2, actual: 1, .. } if column == "amount"), "{e}");
    t.amount = vec![1.0, 2.0];
    t.margin = Some(vec![0.5, f64::INFINITY]);
    let e = CustomerBase::from_transactions(t).unwrap_err();
    assert!(matches!(e, Error::InvalidValue { row: 1, ref column, .. } if column == "margin"), "{e}");
}

#[test]
fn id_kinds_cannot_be_mixed() {
    let r = CustomerBase::builder()
        .customers([Customer::new(1)])
        .transactions(tx(&[("1", "2024-01-01", 1.0)]))
        .unwrap()
        .build();
    assert!(matches!(r, Err(Error::IdKindMismatch { .. })), "{r:?}");
    let mut b = CustomerBase::builder();
    b.add_transactions(TransactionColumns::new(vec![1_i64].into(), vec![0], vec![1.0])).unwrap();
    let e = b.add_transactions(tx(&[("a", "2024-01-01", 1.0)])).unwrap_err();
    assert!(matches!(e, Error::IdKindMismatch { .. }), "{e}");
    // Nothing was added by the refused batch.
    assert_eq!(b.build().unwrap().transactions().len(), 1);
}

#[test]
fn batches_append() {
    let mut b = CustomerBase::builder();
    b.add_transactions(tx(&[("a", "2024-01-01", 1.0)])).unwrap();
    b.add_transactions(tx(&[("b", "2024-01-01", 2.0), ("a", "2024-01-02", 3.0)])).unwrap();
    let base = b.build().unwrap();
    assert_eq!(base.len(), 2);
    assert_eq!(base.transactions().of(0).amount, &[1.0, 3.0]);
}

#[test]
fn customer_table_profiles_are_kept_in_id_order() {
    let mut a = Customer::new("b");
    a.name = Some("Bertil AB".into());
    a.permissions.push(crm_core::Permission { channel: crm_core::Channel::Email, granted: true, date: None });
    let base = CustomerBase::builder().customers([a, Customer::new("a")]).build().unwrap();
    assert_eq!(base.profile(1).unwrap().name.as_deref(), Some("Bertil AB"));
    assert!(base.profile(1).unwrap().permits(crm_core::Channel::Email));
    assert!(!base.profile(0).unwrap().permits(crm_core::Channel::Email));
    let mut bad = Customer::new("c");
    bad.acquisition_cost = Some(f64::NAN);
    let e = CustomerBase::builder().customers([bad]).build().unwrap_err();
    assert!(matches!(e, Error::InvalidValue { row: 0, ref column, .. } if column == "acquisition_cost"), "{e}");
}

#[test]
fn large_bases_are_the_same_for_any_row_order() {
    // Enough rows for the grouping to run on several threads and buckets; reversing the
    // rows puts every customer's transactions in descending time order, and shuffling
    // them spreads each customer over the pieces of rows.
    let data = crm_core::sample::generate(&crm_core::sample::SampleConfig {
        customers: 80_000,
        profiles: false,
        interactions: false,
        ..Default::default()
    });
    let t = data.transactions;
    let KeyColumn::Int(ids) = &t.customer else { panic!("generated ids are integers") };
    let n = t.len();
    let with_margin = |rows: &[usize], margin: bool| {
        let mut c = TransactionColumns::new(
            KeyColumn::Int(rows.iter().map(|&r| ids[r]).collect()),
            rows.iter().map(|&r| t.timestamp[r]).collect(),
            rows.iter().map(|&r| t.amount[r]).collect(),
        );
        c.margin = t.margin.as_ref().filter(|_| margin).map(|m| rows.iter().map(|&r| m[r]).collect());
        CustomerBase::from_transactions(c).unwrap()
    };
    let reorder = |rows: &[usize]| with_margin(rows, true);
    let as_is = reorder(&(0..n).collect::<Vec<_>>());
    let reversed = reorder(&(0..n).rev().collect::<Vec<_>>());
    // Without margins (fewer columns to move): the same times and amounts.
    let plain = with_margin(&(0..n).rev().collect::<Vec<_>>(), false);
    for c in 0..as_is.len() as u32 {
        let (a, b) = (as_is.transactions().of(c), plain.transactions().of(c));
        assert_eq!((a.time, a.amount), (b.time, b.amount), "customer {c}");
        assert!(b.margin.is_none());
    }
    assert!(n % 7_919 != 0); // so that r -> r x 7919 mod n is a permutation (7919 is prime)
    let shuffled = reorder(&(0..n).map(|r| (r * 7_919 + n / 3) % n).collect::<Vec<_>>());
    assert!(n > 300_000, "{n} rows");
    for other in [&reversed, &shuffled] {
        assert_eq!(other.ids(), as_is.ids());
        for c in 0..as_is.len() as u32 {
            let (a, b) = (as_is.transactions().of(c), other.transactions().of(c));
            assert_eq!((a.time, a.amount, a.margin), (b.time, b.amount, b.margin), "customer {c}");
            assert!(a.time.iter().is_sorted());
        }
    }
}
