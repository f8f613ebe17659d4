//! RFM scores over all buyers of all tasks.

use super::rank::{QuantileThresholds, ValueDistribution};
use super::wire::{Reader, Writer};
use crate::error::{Error, Result};
use crate::summary::{Rfm, Summary};
use crate::time::date_to_day;

/// One task's share of the RFM ranking: the exact distributions of recency (negated days
/// since the last purchase: fewer days rank higher), purchases and revenue over its buyers
/// (customers with a purchase), as the single-machine summary ranks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RfmPartial {
    recency: ValueDistribution,
    frequency: ValueDistribution,
    monetary: ValueDistribution,
}

impl RfmPartial {
    /// The partial of a task's summary (computed with the job's common as-of date).
    pub fn from_summary(s: &Summary) -> Self {
        let today = date_to_day(s.as_of);
        let buyers = || (0..s.len()).filter(|&i| s.purchases[i] > 0);
        RfmPartial {
            recency: ValueDistribution::from_values(buyers().map(|i| -((today - s.last_purchase[i]) as f64))),
            frequency: ValueDistribution::from_values(buyers().map(|i| s.purchases[i] as f64)),
            monetary: ValueDistribution::from_values(buyers().map(|i| s.revenue[i])),
        }
    }

    /// The partial of summary columns as a host holds them: purchases, days since the last
    /// purchase and revenue per customer (recency is read only where purchases > 0).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the columns differ in length.
    pub fn from_columns(purchases: &[u32], recency_days: &[u32], revenue: &[f64]) -> Result<Self> {
        check_lengths(purchases.len(), recency_days.len(), revenue.len())?;
        let buyers = || (0..purchases.len()).filter(|&i| purchases[i] > 0);
        Ok(RfmPartial {
            recency: ValueDistribution::from_values(buyers().map(|i| -(recency_days[i] as f64))),
            frequency: ValueDistribution::from_values(buyers().map(|i| purchases[i] as f64)),
            monetary: ValueDistribution::from_values(buyers().map(|i| revenue[i])),
        })
    }

    /// Adds another task's partial.
    pub fn merge(&mut self, other: &RfmPartial) {
        self.recency.merge(&other.recency);
        self.frequency.merge(&other.frequency);
        self.monetary.merge(&other.monetary);
    }

    /// Number of buyers merged so far.
    pub fn buyers(&self) -> u64 {
        self.frequency.len()
    }

    /// The quintile boundaries of the merged buyers.
    pub fn finish(&self) -> RfmScorer {
        RfmScorer {
            recency: self.recency.quantile_thresholds(5),
            frequency: self.frequency.quantile_thresholds(5),
            monetary: self.monetary.quantile_thresholds(5),
        }
    }

    /// The byte form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMR");
        self.recency.write(&mut w);
        self.frequency.write(&mut w);
        self.monetary.write(&mut w);
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `RFM partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMR", "RFM partial")?;
        let p = RfmPartial {
            recency: ValueDistribution::read(&mut r)?,
            frequency: ValueDistribution::read(&mut r)?,
            monetary: ValueDistribution::read(&mut r)?,
        };
        r.end()?;
        Ok(p)
    }
}

/// The global RFM quintile boundaries: scores a task's customers as the single-machine
/// summary scores them in the whole base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RfmScorer {
    recency: QuantileThresholds,
    frequency: QuantileThresholds,
    monetary: QuantileThresholds,
}

impl RfmScorer {
    /// The scores of a customer ([`Rfm::NONE`] without purchases).
    pub fn score(&self, purchases: u32, recency_days: u32, revenue: f64) -> Rfm {
        if purchases == 0 {
            return Rfm::NONE;
        }
        Rfm {
            r: self.recency.score(-(recency_days as f64)),
            f: self.frequency.score(purchases as f64),
            m: self.monetary.score(revenue),
        }
    }

    /// Replaces a task summary's (task-local) scores with the global ones.
    pub fn rescore(&self, s: &mut Summary) {
        let today = date_to_day(s.as_of);
        for i in 0..s.len() {
            let recency = (today - s.last_purchase[i]).max(0) as u32;
            s.rfm[i] = self.score(s.purchases[i], recency, s.revenue[i]);
        }
    }

    /// Scores columns (see [`RfmPartial::from_columns`]).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the columns differ in length.
    pub fn score_columns(&self, purchases: &[u32], recency_days: &[u32], revenue: &[f64]) -> Result<Vec<Rfm>> {
        check_lengths(purchases.len(), recency_days.len(), revenue.len())?;
        Ok((0..purchases.len()).map(|i| self.score(purchases[i], recency_days[i], revenue[i])).collect())
    }

    /// The byte form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMS");
        self.recency.write(&mut w);
        self.frequency.write(&mut w);
        self.monetary.write(&mut w);
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `RFM scorer`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMS", "RFM scorer")?;
        let s = RfmScorer {
            recency: QuantileThresholds::read(&mut r)?,
            frequency: QuantileThresholds::read(&mut r)?,
            monetary: QuantileThresholds::read(&mut r)?,
        };
        r.end()?;
        Ok(s)
    }
}

fn check_lengths(purchases: usize, recency: usize, revenue: usize) -> Result<()> {
    for (column, actual) in [("recency_days", recency), ("revenue", revenue)] {
        if actual != purchases {
            return Err(Error::LengthMismatch {
                column: column.into(),
                reference: "purchases".into(),
                expected: purchases,
                actual,
            });
        }
    }
    Ok(())
}
