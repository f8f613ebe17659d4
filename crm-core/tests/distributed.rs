//! A Rust host distributing the summary: the sample's transactions split by a hash of the
//! customer id into 1, 2, 7 and 64 tasks, each task's base summarised on its own, the RFM
//! partials merged (as bytes, in reverse order) and every task rescored: the single-machine
//! summary, customer for customer.

use crm_core::distributed::{RfmPartial, RfmScorer};
use crm_core::sample::{SampleConfig, generate};
use crm_core::{CustomerBase, KeyColumn, TransactionColumns};

fn tasks(tx: &TransactionColumns, parts: u64) -> Vec<TransactionColumns> {
    let KeyColumn::Int(ids) = &tx.customer else { panic!("the sample has integer ids") };
    (0..parts)
        .map(|p| {
            let rows: Vec<usize> = (0..ids.len())
                .filter(|&r| ((ids[r] as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % parts == p)
                .collect();
            let mut t = TransactionColumns::new(
                KeyColumn::Int(rows.iter().map(|&r| ids[r]).collect()),
                rows.iter().map(|&r| tx.timestamp[r]).collect(),
                rows.iter().map(|&r| tx.amount[r]).collect(),
            );
            t.margin = tx.margin.as_ref().map(|m| rows.iter().map(|&r| m[r]).collect());
            t
        })
        .collect()
}

#[test]
fn distributed_summary_equals_the_single_machine_one() {
    let data =
        generate(&SampleConfig { customers: 3_000, profiles: false, interactions: false, ..SampleConfig::default() });
    let (as_of, tx) = (data.end, data.transactions.clone());
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let single = whole.summary(as_of).unwrap();
    for parts in [1u64, 2, 7, 64] {
        let mut summaries = Vec::new();
        for t in tasks(&tx, parts) {
            if t.amount.is_empty() {
                continue;
            }
            let base = CustomerBase::from_transactions(t).unwrap();
            let s = base.summary(as_of).unwrap();
            summaries.push((base, s));
        }
        let mut merged = RfmPartial::default();
        for (_, s) in summaries.iter().rev() {
            merged.merge(&RfmPartial::from_bytes(&RfmPartial::from_summary(s).to_bytes()).unwrap());
        }
        assert_eq!(merged.buyers(), single.purchases.iter().filter(|&&p| p > 0).count() as u64);
        let scorer = RfmScorer::from_bytes(&merged.finish().to_bytes()).unwrap();
        let mut seen = 0;
        for (base, s) in &mut summaries {
            scorer.rescore(s);
            for i in 0..base.len() {
                let c = whole.index_of(&base.id(i as u32)).unwrap() as usize;
                assert_eq!(s.rfm[i], single.rfm[c], "parts {parts} customer {:?}", base.id(i as u32));
                assert_eq!(s.purchases[i], single.purchases[c]);
                assert_eq!(s.revenue[i], single.revenue[c]);
                seen += 1;
            }
        }
        assert_eq!(seen, single.len(), "parts {parts}");
    }
}
