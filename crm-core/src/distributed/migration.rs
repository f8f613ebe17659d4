//! Migration between lifecycle stages over all tasks.

use crate::CustomerBase;
use crate::error::{Error, Result};
use crate::lifecycle::LifecycleConfig;
use crate::migration::MigrationMatrix;
use chrono::NaiveDate;

/// One task's share of the migration between lifecycle stages: how many of its customers
/// moved from each stage at `from` to each stage at `to`. A stage depends on the customer's
/// own history only, so the counts add up across tasks and the rates come from the merged
/// counts ([`Self::finish`]).
///
/// Value-segment migration ranks the whole base and is not built from partials.
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
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationPartial {
    matrix: MigrationMatrix,
}

impl MigrationPartial {
    /// No customers yet (what a task without customers contributes; the identity of
    /// [`Self::merge`] for lifecycle partials of the same dates).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `to` is not after `from`.
    pub fn empty_lifecycle(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        crate::migration::check_dates(from, to)?;
        let states: Vec<String> = crate::lifecycle::LifecycleStage::ALL.iter().map(|s| s.name().to_owned()).collect();
        let k = states.len();
        Ok(MigrationPartial {
            matrix: MigrationMatrix::from_counts(from, to, states, vec![vec![0; k]; k], vec![0.0; k]),
        })
    }

    /// The lifecycle migration of a task's customers (as
    /// [`CustomerBase::lifecycle_migration`]).
    ///
    /// # Errors
    /// As [`CustomerBase::lifecycle_migration`].
    pub fn lifecycle(base: &CustomerBase, from: NaiveDate, to: NaiveDate, config: &LifecycleConfig) -> Result<Self> {
        Ok(MigrationPartial { matrix: base.lifecycle_migration(from, to, config)? })
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
        Ok(())
    }

    /// The migration matrix of the merged counts.
    pub fn finish(&self) -> MigrationMatrix {
        let m = &self.matrix;
        MigrationMatrix::from_counts(m.from, m.to, m.states.clone(), m.counts.clone(), m.state_value.clone())
    }

    /// The byte form (JSON after the tag).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = b"CRMG\x01".to_vec();
        serde_json::to_writer(&mut out, &self.matrix).expect("a migration matrix serialises");
        out
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `migration partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |m: String| Error::config("migration partial", m);
        let body = bytes
            .strip_prefix(b"CRMG\x01")
            .ok_or_else(|| bad("the bytes are not one (wrong tag or version)".into()))?;
        let matrix: MigrationMatrix = serde_json::from_slice(body).map_err(|e| bad(format!("unreadable: {e}")))?;
        let k = matrix.states.len();
        let square = matrix.counts.len() == k && matrix.counts.iter().all(|r| r.len() == k);
        if !square || matrix.state_value.len() != k || matrix.to <= matrix.from {
            return Err(bad("counts are not one row and column per state".into()));
        }
        Ok(MigrationPartial { matrix })
    }
}
