//! Migration between lifecycle stages over all tasks.

use crate::CustomerBase;
use crate::error::{Error, Result};
use crate::lifecycle::LifecycleConfig;
use crate::migration::{MigrationMatrix, SEGMENT_STATES};
use crate::segments::{PyramidLevel, ValueSegment};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One task's share of the migration between lifecycle stages: how many of its customers
/// moved from each stage at `from` to each stage at `to`. A stage depends on the customer's
/// own history only, so the counts add up across tasks and the rates come from the merged
/// counts ([`Self::finish`]).
///
/// Value-segment migration ranks the whole base: its partial ([`Self::segments`]) is made
/// from the classes of two distributed segmentations joined by customer.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::distributed::MigrationPartial;
/// use crm_core::lifecycle::LifecycleConfig;
/// use crm_core::{CustomerBase, TransactionColumns};
///
/// let day = 86_400;
/// let tx = |ids: Vec<i64>, days: Vec<i64>| TransactionColumns::new(ids.into(), days.iter().map(|d| d * day).collect(), vec![10.0; days.len()]);
/// let whole = CustomerBase::from_transactions(tx(vec![1, 1, 2, 3], vec![0, 400, 10, 300]))?;
/// let a = CustomerBase::from_transactions(tx(vec![1, 1], vec![0, 400]))?;
/// let b = CustomerBase::from_transactions(tx(vec![2, 3], vec![10, 300]))?;
/// let (from, to) = (NaiveDate::from_ymd_opt(1970, 6, 1).unwrap(), NaiveDate::from_ymd_opt(1971, 6, 1).unwrap());
/// let config = LifecycleConfig::default();
/// let mut merged = MigrationPartial::lifecycle(&a, from, to, &config)?;
/// merged.merge(&MigrationPartial::from_bytes(&MigrationPartial::lifecycle(&b, from, to, &config)?.to_bytes())?)?;
/// assert_eq!(merged.finish(), whole.lifecycle_migration(from, to, &config)?);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrationPartial {
    matrix: MigrationMatrix,
    /// Sum of the value at `to` per state at `to` (the state values are the means).
    value_sum: Vec<f64>,
}

impl MigrationPartial {
    /// No customers yet (what a task without customers contributes; the identity of
    /// [`Self::merge`] for lifecycle partials of the same dates).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `to` is not after `from`.
    pub fn empty_lifecycle(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        let states: Vec<&str> = crate::lifecycle::LifecycleStage::ALL.iter().map(|s| s.name()).collect();
        Self::empty(from, to, &states)
    }

    /// No customers yet, for segment migration (states [`SEGMENT_STATES`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `to` is not after `from`.
    pub fn empty_segments(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        Self::empty(from, to, &SEGMENT_STATES)
    }

    fn empty(from: NaiveDate, to: NaiveDate, states: &[&str]) -> Result<Self> {
        crate::migration::check_dates(from, to)?;
        let k = states.len();
        let states = states.iter().map(|s| (*s).to_owned()).collect();
        Ok(MigrationPartial {
            matrix: MigrationMatrix::from_counts(from, to, states, vec![vec![0; k]; k], vec![0.0; k]),
            value_sum: vec![0.0; k],
        })
    }

    /// The lifecycle migration of a task's customers (as
    /// [`CustomerBase::lifecycle_migration`]).
    ///
    /// # Errors
    /// As [`CustomerBase::lifecycle_migration`].
    pub fn lifecycle(base: &CustomerBase, from: NaiveDate, to: NaiveDate, config: &LifecycleConfig) -> Result<Self> {
        let matrix = base.lifecycle_migration(from, to, config)?;
        let k = matrix.states.len();
        Ok(MigrationPartial { matrix, value_sum: vec![0.0; k] })
    }

    /// A share of the migration between value segments ([`CustomerBase::segment_migration`]):
    /// per customer its class at `from` and at `to` (value segment, `None` when not ranked,
    /// and pyramid level, which tells the lost from the not-yet customers), and its value
    /// at `to`. The classes come from the segmentations over all tasks (see
    /// [`super::SegmentRanker`]), joined by customer.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `to` is not after `from`; [`Error::LengthMismatch`]
    /// when the columns differ in length.
    pub fn segments(
        from: NaiveDate,
        to: NaiveDate,
        at_from: (&[Option<ValueSegment>], &[PyramidLevel]),
        at_to: (&[Option<ValueSegment>], &[PyramidLevel]),
        value_at_to: &[f64],
    ) -> Result<Self> {
        let mut p = Self::empty_segments(from, to)?;
        let n = value_at_to.len();
        let lengths = [at_from.0.len(), at_from.1.len(), at_to.0.len(), at_to.1.len()];
        if let Some(&len) = lengths.iter().find(|&&len| len != n) {
            return Err(Error::LengthMismatch {
                column: "segment classes".into(),
                reference: "value_at_to".into(),
                expected: n,
                actual: len,
            });
        }
        // The states of `segment_migration`: not yet, top, middle, bottom, lost.
        let state = |segment: Option<ValueSegment>, level: PyramidLevel| match (segment, level) {
            (Some(s), _) => 1 + s as usize,
            (None, PyramidLevel::Inactive) => 4,
            (None, _) => 0,
        };
        for (c, &value) in value_at_to.iter().enumerate() {
            let (a, b) = (state(at_from.0[c], at_from.1[c]), state(at_to.0[c], at_to.1[c]));
            p.matrix.counts[a][b] += 1;
            if (1..=3).contains(&b) {
                p.value_sum[b] += value;
            }
        }
        Ok(p)
    }

    /// Adds another task's counts.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the dates or the states differ.
    pub fn merge(&mut self, other: &MigrationPartial) -> Result<()> {
        let (a, b) = (&mut self.matrix, &other.matrix);
        if (a.from, a.to, &a.states) != (b.from, b.to, &b.states) {
            return Err(Error::config("migration partial", "the partials are of different dates or states"));
        }
        for (row, other) in a.counts.iter_mut().zip(&b.counts) {
            for (c, o) in row.iter_mut().zip(other) {
                *c += o;
            }
        }
        self.value_sum.iter_mut().zip(&other.value_sum).for_each(|(s, o)| *s += o);
        Ok(())
    }

    /// The migration matrix of the merged counts (state values: the mean value at `to` of
    /// the customers in each state at `to`).
    pub fn finish(&self) -> MigrationMatrix {
        let m = &self.matrix;
        let at_to = m.at_to();
        let state_value =
            self.value_sum.iter().zip(&at_to).map(|(s, &n)| if n == 0 { 0.0 } else { s / n as f64 }).collect();
        MigrationMatrix::from_counts(m.from, m.to, m.states.clone(), m.counts.clone(), state_value)
    }

    /// The byte form (JSON after the tag).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = b"CRMG\x02".to_vec();
        serde_json::to_writer(&mut out, self).expect("a migration partial serialises");
        out
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `migration partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |m: String| Error::config("migration partial", m);
        let body = bytes
            .strip_prefix(b"CRMG\x02")
            .ok_or_else(|| bad("the bytes are not one (wrong tag or version)".into()))?;
        let p: MigrationPartial = serde_json::from_slice(body).map_err(|e| bad(format!("unreadable: {e}")))?;
        let (matrix, k) = (&p.matrix, p.matrix.states.len());
        let square = matrix.counts.len() == k && matrix.counts.iter().all(|r| r.len() == k);
        if !square || matrix.state_value.len() != k || p.value_sum.len() != k || matrix.to <= matrix.from {
            return Err(bad("counts are not one row and column per state".into()));
        }
        Ok(p)
    }
}
