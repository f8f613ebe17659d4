//! Customer flows over all tasks.

use super::Membership;
use crate::CustomerBase;
use crate::error::{Error, Result};
use crate::flows::{FlowConfig, FlowReport, SegmentFlows, check_bounds, finish_rates, flow_counts, merge};
use chrono::NaiveDate;

/// One task's share of the flows of consecutive periods: each period's counts and values
/// over the task's customers. A customer's flow depends on its own history only, so the
/// counts add up across tasks; the rates and durations are computed from the merged
/// counts ([`Self::finish`]), as on one machine.
///
/// Flows per value segment need the whole base's segments and are refused here.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::distributed::FlowsPartial;
/// use crm_core::flows::FlowConfig;
/// use crm_core::{CustomerBase, TransactionColumns, time::date_to_seconds};
///
/// let d = |s: &str| date_to_seconds(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
/// let days = vec![d("2023-06-01"), d("2022-06-01"), d("2024-03-01")];
/// let whole = CustomerBase::from_transactions(TransactionColumns::new(vec![1_i64, 2, 3].into(), days.clone(), vec![10.0; 3]))?;
/// let a = CustomerBase::from_transactions(TransactionColumns::new(vec![1_i64].into(), vec![days[0]], vec![10.0]))?;
/// let b = CustomerBase::from_transactions(TransactionColumns::new(vec![2_i64, 3].into(), days[1..].to_vec(), vec![10.0; 2]))?;
/// let bounds = [NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()];
/// let config = FlowConfig { by_segment: false, ..FlowConfig::default() };
/// let mut merged = FlowsPartial::of(&a, &bounds, &config)?;
/// merged.merge(&FlowsPartial::from_bytes(&FlowsPartial::of(&b, &bounds, &config)?.to_bytes())?)?;
/// assert_eq!(merged.finish(&config), whole.flow_periods(&bounds, &config)?);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FlowsPartial {
    reports: Vec<FlowReport>,
}

impl FlowsPartial {
    /// Nothing yet over the periods between `bounds` (what a task without customers
    /// contributes; the identity of [`Self::merge`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for fewer than two boundaries or boundaries not ascending.
    pub fn empty(bounds: &[NaiveDate]) -> Result<Self> {
        check_bounds(bounds)?;
        let reports = bounds
            .windows(2)
            .map(|w| FlowReport { start: Some(w[0]), end: Some(w[1]), ..FlowReport::default() })
            .collect();
        Ok(FlowsPartial { reports })
    }

    /// The flows of a task's customers between `bounds` (as
    /// [`CustomerBase::flow_periods`]) without segments.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for `by_segment` (segments rank the whole base: use
    /// [`Self::with_segments`]) and as [`CustomerBase::flow_periods`].
    pub fn of(base: &CustomerBase, bounds: &[NaiveDate], config: &FlowConfig) -> Result<Self> {
        if config.by_segment {
            return Err(Error::config(
                "by_segment",
                "flows per value segment need the segments of the whole base: use FlowsPartial::with_segments",
            ));
        }
        Ok(FlowsPartial { reports: base.flow_periods(bounds, config)? })
    }

    /// The dates whose segments flows per segment need: the day before each boundary (a
    /// period starts with the segments at the end of the day before it).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for boundaries that are not at least two, ascending.
    pub fn segment_dates(bounds: &[NaiveDate]) -> Result<Vec<NaiveDate>> {
        check_bounds(bounds)?;
        bounds
            .iter()
            .map(|d| d.pred_opt().ok_or_else(|| Error::config("periods", "a boundary has no day before")))
            .collect()
    }

    /// The flows of a task's customers between `bounds` per value segment too, with the
    /// segments of the whole base at [`Self::segment_dates`] (a resolved [`Membership`] of
    /// `config.segments`; see [`super::MembershipPartial`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an invalid config, a membership of other dates or one
    /// not resolved.
    pub fn with_segments(
        base: &CustomerBase,
        bounds: &[NaiveDate],
        config: &FlowConfig,
        membership: &Membership,
    ) -> Result<Self> {
        config.validate()?;
        if membership.dates() != Self::segment_dates(bounds)? {
            return Err(Error::config("membership", "its dates are not the days before the period boundaries"));
        }
        let codes = membership.codes(base, &config.segments)?;
        let config = FlowConfig { by_segment: true, ..config.clone() };
        Ok(FlowsPartial { reports: flow_counts(base, bounds, &config, &codes) })
    }

    /// Adds another task's flows of the same periods.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the periods differ.
    pub fn merge(&mut self, other: &FlowsPartial) -> Result<()> {
        let periods = |p: &FlowsPartial| p.reports.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>();
        if periods(self) != periods(other) {
            return Err(Error::config("flows partial", "the partials are of different periods"));
        }
        for (o, a) in self.reports.iter_mut().zip(&other.reports) {
            // An empty partial has no segment rows yet.
            if o.by_segment.is_empty() {
                o.by_segment = a
                    .by_segment
                    .iter()
                    .map(|s| SegmentFlows { segment: s.segment.clone(), ..Default::default() })
                    .collect();
            }
            merge(o, a);
        }
        Ok(())
    }

    /// The flows of every period with the rates and durations of the merged counts
    /// (`duration_base` from `config`).
    pub fn finish(&self, config: &FlowConfig) -> Vec<FlowReport> {
        let mut out = self.reports.clone();
        for o in &mut out {
            finish_rates(o, config.duration_base);
        }
        out
    }

    /// The byte form (JSON after the tag: numbers round-trip exactly).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = b"CRMF\x01".to_vec();
        serde_json::to_writer(&mut out, &self.reports).expect("flow reports serialise");
        out
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `flows partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let body = bytes
            .strip_prefix(b"CRMF\x01")
            .ok_or_else(|| Error::config("flows partial", "the bytes are not one (wrong tag or version)"))?;
        let reports: Vec<FlowReport> =
            serde_json::from_slice(body).map_err(|e| Error::config("flows partial", format!("unreadable: {e}")))?;
        let ordered = reports.iter().all(|r| matches!((r.start, r.end), (Some(s), Some(e)) if s < e));
        let contiguous = reports.windows(2).all(|w| w[0].end == w[1].start);
        if reports.is_empty() || !ordered || !contiguous {
            return Err(Error::config("flows partial", "periods missing, not ascending or not contiguous"));
        }
        Ok(FlowsPartial { reports })
    }
}
