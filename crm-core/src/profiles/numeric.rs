//! Numeric attributes: derived measures or customer attributes, and their mean and quartiles.

use super::*;
use std::borrow::Cow;

impl CustomerBase {
    /// A numeric column: a derived measure or a customer attribute.
    pub(super) fn numeric_column<'a>(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        name: &str,
        summary: &mut Option<crate::Summary>,
        table: &'a AttributeTable,
        wallet: Option<&'a Wallet>,
    ) -> Result<Cow<'a, [f64]>> {
        if name == "share_of_wallet" {
            return Ok(match wallet {
                Some(w) => Cow::Borrowed(&w.share),
                None => {
                    config.wallet.validate()?;
                    Cow::Owned(self.wallet_in(table, as_of, &config.wallet, None, None, None)?.share)
                }
            });
        }
        if !DERIVED.contains(&name) {
            return Ok(table.get(name).numbers());
        }
        if summary.is_none() {
            *summary = Some(self.summary(as_of)?);
        }
        let s = summary.as_ref().expect("computed");
        let n = s.len();
        let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
        Ok(Cow::Owned(match name {
            "purchases_per_year" => {
                (0..n).map(|i| if s.has_purchase(i) { s.purchases_per_year[i] } else { f64::NAN }).collect()
            }
            "average_purchase" => (0..n).map(|i| opt(s.average_purchase(i))).collect(),
            "tenure_days" => (0..n).map(|i| opt(s.tenure_days(i).map(f64::from))).collect(),
            "recency_days" => (0..n).map(|i| opt(s.recency_days(i).map(f64::from))).collect(),
            "revenue" => s.revenue.clone(),
            _ => (0..n)
                .map(|i| match &s.margin {
                    Some(m) if s.revenue[i] != 0.0 => m[i] / s.revenue[i] * 100.0,
                    _ => f64::NAN,
                })
                .collect(),
        }))
    }
}

/// Mean and type-7 quartiles (NaN without values).
pub(super) struct Stats {
    pub(super) mean: f64,
    pub(super) q1: f64,
    pub(super) median: f64,
    pub(super) q3: f64,
}

impl Stats {
    pub(super) fn of(values: &mut [f64]) -> Stats {
        if values.is_empty() {
            return Stats { mean: f64::NAN, q1: f64::NAN, median: f64::NAN, q3: f64::NAN };
        }
        // Values come in customer index order (canonical), so the sum does not depend on
        // the row order; the quartiles are order statistics.
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let [q1, median, q3] = quantiles(values, [0.25, 0.5, 0.75]);
        Stats { mean, q1, median, q3 }
    }
}
