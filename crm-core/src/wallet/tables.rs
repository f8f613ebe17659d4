//! The summary tables (per segment, stage, peer group): sums over customers per row.

use super::WalletRow;
use serde::{Deserialize, Serialize};

/// The per-customer columns the tables sum.
pub(super) struct Cols<'a> {
    pub(super) spend: &'a [f64],
    pub(super) wallet: &'a [f64],
    pub(super) share: &'a [f64],
    pub(super) over: &'a [bool],
}

impl Cols<'_> {
    pub(super) fn table(&self, names: &[&str], slot: impl Fn(usize) -> Option<usize>) -> Vec<WalletRow> {
        self.sums(names, slot).finish()
    }

    /// The rows' sums before their shares: they add up over any split of the customers.
    pub(super) fn sums(&self, names: &[&str], slot: impl Fn(usize) -> Option<usize>) -> TableSums {
        let TableSums { mut rows, mut used } = TableSums::empty(names);
        for c in 0..self.spend.len() {
            if self.wallet[c].is_nan() {
                continue;
            }
            let Some(k) = slot(c) else { continue };
            let r = &mut rows[k];
            let s = self.spend[c].max(0.0);
            r.customers += 1;
            r.spend += self.spend[c];
            r.wallet += self.wallet[c];
            r.growth_potential += (self.wallet[c] - s).max(0.0);
            r.mean_share += self.share[c];
            r.over_wallet += self.over[c] as usize;
            // The part of its wallet a customer gives us: its spend, up to the wallet (as
            // its own share is capped), so that the row's share never passes 1 and
            // captured + growth potential = wallet.
            used[k] += s.min(self.wallet[c]);
        }
        TableSums { rows, used }
    }
}

/// A wallet table's sums (per row, the share sum in `mean_share` and the wallet used in
/// `used`), before the shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TableSums {
    rows: Vec<WalletRow>,
    used: Vec<f64>,
}

impl TableSums {
    /// Rows of these names, all zero.
    pub(crate) fn empty(names: &[&str]) -> TableSums {
        let rows = names
            .iter()
            .map(|n| WalletRow {
                group: (*n).to_owned(),
                customers: 0,
                spend: 0.0,
                wallet: 0.0,
                growth_potential: 0.0,
                share: 0.0,
                mean_share: 0.0,
                over_wallet: 0,
            })
            .collect();
        TableSums { rows, used: vec![0.0; names.len()] }
    }

    /// Adds another split's sums (of the same rows).
    pub(crate) fn merge(&mut self, o: &TableSums) {
        for (a, b) in self.rows.iter_mut().zip(&o.rows) {
            a.customers += b.customers;
            a.spend += b.spend;
            a.wallet += b.wallet;
            a.growth_potential += b.growth_potential;
            a.mean_share += b.mean_share;
            a.over_wallet += b.over_wallet;
        }
        self.used.iter_mut().zip(&o.used).for_each(|(a, b)| *a += b);
    }

    /// The rows with their shares.
    pub(crate) fn finish(self) -> Vec<WalletRow> {
        let mut rows = self.rows;
        for (r, u) in rows.iter_mut().zip(self.used) {
            r.share = if r.wallet > 0.0 { u / r.wallet } else { 0.0 };
            r.mean_share = if r.customers > 0 { r.mean_share / r.customers as f64 } else { 0.0 };
        }
        rows
    }
}
