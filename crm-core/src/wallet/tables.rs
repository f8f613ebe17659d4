//! The summary tables (per segment, stage, peer group): sums over customers per row.

use super::WalletRow;

/// The per-customer columns the tables sum.
pub(super) struct Cols<'a> {
    pub(super) spend: &'a [f64],
    pub(super) wallet: &'a [f64],
    pub(super) share: &'a [f64],
    pub(super) over: &'a [bool],
}

impl Cols<'_> {
    /// One row per name; `slot(c)` is the customer's row (`None`: in no row). Customers
    /// without a wallet are left out. Sums run in customer index order.
    pub(super) fn table(&self, names: &[&str], slot: impl Fn(usize) -> Option<usize>) -> Vec<WalletRow> {
        let mut rows: Vec<WalletRow> = names
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
        let mut used = vec![0.0; names.len()];
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
        for (r, u) in rows.iter_mut().zip(used) {
            r.share = if r.wallet > 0.0 { u / r.wallet } else { 0.0 };
            r.mean_share = if r.customers > 0 { r.mean_share / r.customers as f64 } else { 0.0 };
        }
        rows
    }
}
