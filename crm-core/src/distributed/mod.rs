//! The analyses on a cluster: partial results that a task computes on its share of the
//! customers, that merge in any order, and that finish into what the single-machine engine
//! computes over the whole base.
//!
//! A host (Spark, Dask, a C or Rust program) partitions the transactions by customer (a
//! hash of the id), so each task sees whole customers and builds an ordinary
//! [`crate::CustomerBase`] of them: everything per customer (purchases, revenue, recency,
//! tenure, lifecycle stage) is then already the single-machine figure. What crosses
//! customers is merged from the partials defined here, once for every host:
//!
//! - RFM scores are quintiles over all buyers: [`RfmPartial`] holds each task's exact value
//!   distribution (distinct values with counts), the merged distribution gives the exact
//!   global quintile boundaries ([`RfmScorer`]) and each task re-scores its customers with
//!   them. The scores equal [`crate::rank::quantile_scores`] over the whole base, ties
//!   included; no approximate quantiles.
//!
//! - Customer flows add up: [`FlowsPartial`] holds a task's counts and values per period;
//!   rates and durations come from the merged counts.
//! - Migration between lifecycle stages adds up: [`MigrationPartial`] holds a task's
//!   counts; rates come from the merged counts.
//! - Value segments, ABC classes and the pyramid rank the whole base: [`SegmentsPartial`]
//!   (the merged exact value distribution) gives the class boundaries and buckets of
//!   whole values with their first ranks ([`SegmentRanker`]); the host shuffles the ranked
//!   customers by bucket and each task numbers its sorted buckets; [`SegmentTablesPartial`]
//!   adds up the tables.
//! - The CLV models fit on distinct rows with counts: [`ModelPartial`] holds a task's
//!   distinct `(x, t_x, T)` and `(x, mean spend)` rows, merged by adding counts; the fit on
//!   the merged rows is the single-machine fit. Predictions are per customer again, in the
//!   tasks, with the fitted parameters.
//!
//! Partials and scorers travel as bytes ([`RfmPartial::to_bytes`]), so a host moves opaque
//! binary cells between its tasks and its driver.
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::{CustomerBase, TransactionColumns};
//! use crm_core::distributed::RfmPartial;
//!
//! let as_of = NaiveDate::from_ymd_opt(1970, 3, 1).unwrap();
//! let day = 86_400;
//! let whole = CustomerBase::from_transactions(TransactionColumns::new(
//!     vec![1_i64, 2, 3, 4].into(), vec![0, 10 * day, 20 * day, 30 * day], vec![10.0, 20.0, 30.0, 40.0]))?;
//! // Two tasks, each with whole customers.
//! let a = CustomerBase::from_transactions(TransactionColumns::new(vec![1_i64, 3].into(), vec![0, 20 * day], vec![10.0, 30.0]))?;
//! let b = CustomerBase::from_transactions(TransactionColumns::new(vec![2_i64, 4].into(), vec![10 * day, 30 * day], vec![20.0, 40.0]))?;
//! let (mut sa, mut sb) = (a.summary(as_of)?, b.summary(as_of)?);
//! // The driver merges the partials (bytes on the wire) and sends the scorer back.
//! let mut merged = RfmPartial::from_summary(&sa);
//! merged.merge(&RfmPartial::from_bytes(&RfmPartial::from_summary(&sb).to_bytes())?);
//! let scorer = merged.finish();
//! scorer.rescore(&mut sa);
//! scorer.rescore(&mut sb);
//! let single = whole.summary(as_of)?;
//! assert_eq!([sa.rfm[0], sb.rfm[0], sa.rfm[1], sb.rfm[1]].to_vec(), single.rfm);
//! # Ok::<(), crm_core::Error>(())
//! ```

mod flows;
mod membership;
mod migration;
mod models;
mod rank;
mod report;
mod segments;
mod summary;
mod wire;

pub use flows::FlowsPartial;
pub use membership::{Membership, MembershipPartial, TieIds};
pub use migration::MigrationPartial;
pub use models::ModelPartial;
pub use rank::{QuantileThresholds, ValueDistribution};
pub use report::{ReportContext, ReportPartial, ReportScan};
pub use segments::{
    MAX_BUCKETS, SegmentRanker, SegmentRows, SegmentTablesPartial, SegmentsPartial, Standing, rank_key,
};
pub use summary::{RfmPartial, RfmScorer};
