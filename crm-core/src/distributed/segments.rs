//! Value segments over all tasks: exact global ranks, and the classes (segment, ABC,
//! pyramid) from the ranks.
//!
//! A customer's rank is its position in the order *value descending, ties by ascending
//! id*, over the whole base. The merged exact value distribution ([`SegmentsPartial`])
//! tells how many customers have each value, so the driver cuts the order into buckets of
//! whole values (about equal in size) and knows each bucket's first rank exactly
//! ([`SegmentRanker`]). The host then shuffles the ranked customers' rows by bucket (any
//! hash partitioning: a bucket lands whole in one task), each task sorts its rows by
//! ([`rank_key`], id) and numbers each bucket's rows from the bucket's first rank
//! ([`SegmentRanker::ranks`]). No range partitioner, no sampling, no count pass.
//!
//! Which segment, ABC class and pyramid level a rank falls in depends only on the number
//! of ranked customers and, for ABC, on the running sum of positive values along the
//! order; the driver walks the distribution in the same order and with the same additions
//! as the single-machine engine, so the class boundaries are exactly the engine's, knife
//! edges included.

use super::rank::ValueDistribution;
use super::wire::{Reader, Writer};
use crate::CustomerBase;
use crate::error::{Error, Result};
use crate::rank::{from_ordered_bits, ordered_bits, split_counts};
use crate::segments::{
    AbcClass, PyramidLevel, SLOTS, SegmentConfig, SegmentRow, State, Sums, TableInputs, ValueSegment, abc_class, ends,
    table_sums, tables, window_of,
};
use chrono::NaiveDate;

/// Where a customer stands in a segmentation's value window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Standing {
    /// Never bought: pyramid level prospect.
    Prospect = 0,
    /// Bought before the window, not in it: pyramid level inactive.
    Inactive = 1,
    /// Has a transaction in the window: ranked.
    Ranked = 2,
}

impl Standing {
    /// The standing of a code (`Standing as u8`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `standing`) for a code above 2.
    pub fn from_code(code: u8) -> Result<Self> {
        match code {
            0 => Ok(Standing::Prospect),
            1 => Ok(Standing::Inactive),
            2 => Ok(Standing::Ranked),
            _ => Err(Error::config("standing", format!("code {code} is not 0 (prospect), 1 (inactive) or 2 (ranked)"))),
        }
    }

    /// The pyramid level of an unranked customer (`None` for a ranked one: its rank decides).
    pub fn unranked_level(self) -> Option<PyramidLevel> {
        match self {
            Standing::Prospect => Some(PyramidLevel::Prospect),
            Standing::Inactive => Some(PyramidLevel::Inactive),
            Standing::Ranked => None,
        }
    }
}

/// The sort key of a value in the ranking order: ascending keys are descending values, and
/// equal values (-0.0 and 0.0 included) have equal keys, so that the host's second sort
/// key, the customer id ascending, breaks ties as the engine does.
///
/// ```
/// use crm_core::distributed::rank_key;
/// assert!(rank_key(10.0) < rank_key(2.5) && rank_key(2.5) < rank_key(-1.0));
/// assert_eq!(rank_key(0.0), rank_key(-0.0));
/// ```
pub fn rank_key(value: f64) -> i64 {
    // Descending order bits, moved from u64 order to i64 order (hosts sort signed longs).
    ((!ordered_bits(value)) ^ (1 << 63)) as i64
}

/// A task's customers' figures for a segmentation, in the task base's customer order:
/// what the host sorts, ranks and sums.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRows {
    /// The value that ranks (the measure over the window).
    pub value: Vec<f64>,
    /// Revenue in the window.
    pub revenue: Vec<f64>,
    /// Margin in the window (`None` without margins).
    pub margin: Option<Vec<f64>>,
    /// Cost to serve in the window (`None` without interactions: all 0).
    pub cost: Option<Vec<f64>>,
    /// Margin - cost to serve (`None` without margins), as in [`crate::Segments::profit`].
    pub profit: Option<Vec<f64>>,
    /// Where each customer stands in the window.
    pub standing: Vec<Standing>,
}

impl SegmentRows {
    /// The figures of a task's customers, as [`CustomerBase::segments`] computes them.
    ///
    /// # Errors
    /// As [`CustomerBase::segments`].
    pub fn of(base: &CustomerBase, as_of: NaiveDate, config: &SegmentConfig) -> Result<Self> {
        let w = window_of(base, as_of, config)?;
        let standing = w
            .state
            .iter()
            .map(|&s| match s {
                s if s == State::Ranked as u8 => Standing::Ranked,
                s if s == State::Inactive as u8 => Standing::Inactive,
                _ => Standing::Prospect,
            })
            .collect();
        let profit = w.margin.as_ref().map(|m| match &w.cost {
            Some(cost) => m.iter().zip(cost).map(|(m, c)| m - c).collect(),
            None => m.clone(),
        });
        Ok(SegmentRows { value: w.value, revenue: w.revenue, margin: w.margin, cost: w.cost, profit, standing })
    }

    /// The task's partial: the exact distribution of its ranked customers' values.
    pub fn partial(&self) -> SegmentsPartial {
        SegmentsPartial::from_columns(&self.value, &self.standing).expect("the rows' columns have one length")
    }
}

/// One task's share of a segmentation: the exact distribution of its ranked customers'
/// values. Merging adds the distributions; [`Self::finish`] gives the class boundaries.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::distributed::{SegmentRows, SegmentsPartial, Standing};
/// use crm_core::{CustomerBase, SegmentConfig, TransactionColumns, ValueSegment};
///
/// let as_of = NaiveDate::from_ymd_opt(1970, 6, 1).unwrap();
/// let config = SegmentConfig::default();
/// let task = |ids: Vec<i64>| {
///     let amounts = ids.iter().map(|&i| i as f64 * 100.0).collect();
///     CustomerBase::from_transactions(TransactionColumns::new(ids.clone().into(), vec![0; ids.len()], amounts))
/// };
/// // Customers 1..=10 (value 100 x id) in two tasks.
/// let rows = [SegmentRows::of(&task(vec![1, 3, 5, 7, 9])?, as_of, &config)?,
///             SegmentRows::of(&task(vec![2, 4, 6, 8, 10])?, as_of, &config)?];
/// let mut merged = SegmentsPartial::default();
/// for r in &rows {
///     merged.merge(&SegmentsPartial::from_bytes(&r.partial().to_bytes())?);
/// }
/// let ranker = merged.finish(&config, 4)?;
/// // The host sorts by value descending: customer 10 has rank 0, customer 8 rank 2.
/// assert_eq!(ranker.classify(0)?.0, ValueSegment::Top);
/// assert_eq!(ranker.classify(2)?.0, ValueSegment::Middle);
/// assert_eq!(ranker.classify(9)?.0, ValueSegment::Bottom);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentsPartial {
    values: ValueDistribution,
}

impl SegmentsPartial {
    /// The partial of customers' values and standings (only the ranked count).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the columns differ in length.
    pub fn from_columns(value: &[f64], standing: &[Standing]) -> Result<Self> {
        if value.len() != standing.len() {
            return Err(Error::LengthMismatch {
                column: "standing".into(),
                reference: "value".into(),
                expected: value.len(),
                actual: standing.len(),
            });
        }
        let ranked = value.iter().zip(standing).filter(|(_, s)| **s == Standing::Ranked);
        Ok(SegmentsPartial { values: ValueDistribution::from_values(ranked.map(|(v, _)| *v)) })
    }

    /// Adds another task's partial.
    pub fn merge(&mut self, other: &SegmentsPartial) {
        self.values.merge(&other.values);
    }

    /// Number of ranked customers.
    pub fn ranked(&self) -> u64 {
        self.values.len()
    }

    /// The class boundaries over the merged customers, and the order cut into at most
    /// `buckets` buckets of whole values (1..=65,536; the host's partition count is a good
    /// choice).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules or a bucket count out of range.
    pub fn finish(&self, config: &SegmentConfig, buckets: u32) -> Result<SegmentRanker> {
        config.validate()?;
        if !(1..=MAX_BUCKETS).contains(&buckets) {
            return Err(Error::config("buckets", format!("{buckets} is not in 1..={MAX_BUCKETS}")));
        }
        let n = self.values.len();
        let n_usize = usize::try_from(n).map_err(|_| Error::config("ranked customers", "too many for this machine"))?;
        let as_u64 = |e: Vec<usize>| e.into_iter().map(|x| x as u64).collect();
        let (bounds, firsts) = cut(&self.values, buckets);
        Ok(SegmentRanker {
            ranked: n,
            segment_ends: as_u64(ends(&split_counts(n_usize, &config.shares))),
            pyramid_ends: as_u64(ends(&split_counts(n_usize, &config.pyramid_shares))),
            abc_ends: abc_ends(&self.values, &config.abc_shares),
            bounds,
            firsts,
        })
    }

    /// The byte form (see [`Self::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMV");
        self.values.write(&mut w);
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `segments partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMV", "segments partial")?;
        let values = ValueDistribution::read(&mut r)?;
        r.end()?;
        Ok(SegmentsPartial { values })
    }
}

/// Most buckets a ranker cuts the order into.
pub const MAX_BUCKETS: u32 = 65_536;

/// The order cut into at most `buckets` runs of whole values, each closed once it holds
/// its share of the customers: the last rank key of every bucket but the last, and each
/// bucket's first rank.
fn cut(values: &ValueDistribution, buckets: u32) -> (Vec<i64>, Vec<u64>) {
    let target = values.len().div_ceil(buckets as u64).max(1);
    let (mut bounds, mut firsts) = (Vec::new(), vec![0u64]);
    let (mut seen, mut in_bucket) = (0u64, 0u64);
    // Descending values are ascending rank keys.
    for (key, count) in values.entries().rev() {
        seen += count;
        in_bucket += count;
        if in_bucket >= target && seen < values.len() && firsts.len() < buckets as usize {
            bounds.push(rank_key(from_ordered_bits(key)));
            firsts.push(seen);
            in_bucket = 0;
        }
    }
    (bounds, firsts)
}

/// Where the ABC classes end along the order: the engine's running sum of positive values,
/// added one customer at a time in rank order (the same additions, so the same rounding),
/// gives the first position of class B and of class C among positive values. Customers of
/// value <= 0 come after every positive one and are C.
pub(super) fn abc_ends(values: &ValueDistribution, abc_shares: &[f64; 3]) -> [u64; 2] {
    let descending = || values.entries().rev().map(|(key, count)| (from_ordered_bits(key), count));
    let mut total = 0.0;
    for (v, count) in descending().take_while(|(v, _)| *v > 0.0) {
        for _ in 0..count {
            total += v;
        }
    }
    let (mut cum, mut pos) = (0.0, 0u64);
    let mut first = [None::<u64>; 2];
    'walk: for (v, count) in descending().take_while(|(v, _)| *v > 0.0) {
        for _ in 0..count {
            match abc_class(v, cum, total, abc_shares) {
                AbcClass::A => {}
                AbcClass::B => {
                    first[0].get_or_insert(pos);
                }
                AbcClass::C => {
                    first[0].get_or_insert(pos);
                    first[1] = Some(pos);
                    break 'walk;
                }
            }
            cum += v;
            pos += 1;
        }
    }
    // Without a crossing, the classes end where the positive values end.
    let b = first[0].unwrap_or(pos);
    [b, first[1].unwrap_or(pos.max(b))]
}

/// The class boundaries of a segmentation over all tasks: which value segment, ABC class
/// and pyramid level each global rank (0 = most valuable) falls in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRanker {
    ranked: u64,
    /// End position of top, middle, bottom.
    segment_ends: Vec<u64>,
    /// End position of top, large, medium, small.
    pyramid_ends: Vec<u64>,
    /// First position of class B and of class C.
    abc_ends: [u64; 2],
    /// The last rank key of each bucket but the last, ascending.
    bounds: Vec<i64>,
    /// Each bucket's first rank.
    firsts: Vec<u64>,
}

impl SegmentRanker {
    /// Number of ranked customers over all tasks.
    pub fn ranked(&self) -> u64 {
        self.ranked
    }

    /// Number of buckets.
    pub fn buckets(&self) -> u32 {
        self.firsts.len() as u32
    }

    /// The bucket of a ranked customer's value: the host shuffles ranked rows by it.
    pub fn bucket(&self, value: f64) -> u32 {
        let key = rank_key(value);
        self.bounds.partition_point(|&b| b < key) as u32
    }

    /// The global ranks (0 = most valuable) of a task's ranked customers given in the
    /// order (value descending, id ascending), every bucket of them whole in the task: each
    /// bucket's rows are numbered from its first rank.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `rank`) when the rows are not sorted or a bucket
    /// has more rows than the merged partials counted (a bucket split across tasks, or
    /// rows the partials did not see).
    pub fn ranks(&self, values: &[f64]) -> Result<Vec<u64>> {
        let mut out = Vec::with_capacity(values.len());
        let (mut bucket, mut next, mut last_key) = (u32::MAX, 0u64, i64::MIN);
        for &v in values {
            let key = rank_key(v);
            if key < last_key {
                return Err(Error::config("rank", "the ranked rows are not sorted by value, highest first"));
            }
            last_key = key;
            let b = self.bucket(v);
            if b != bucket {
                bucket = b;
                next = self.firsts[b as usize];
            }
            let end = self.firsts.get(b as usize + 1).copied().unwrap_or(self.ranked);
            if next >= end {
                return Err(Error::config(
                    "rank",
                    format!(
                        "bucket {b} has more rows than the merged partials counted ({})",
                        end - self.firsts[b as usize]
                    ),
                ));
            }
            out.push(next);
            next += 1;
        }
        Ok(out)
    }

    /// The value segment, ABC class and pyramid level of the customer at `rank`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `rank`) when `rank` is not below [`Self::ranked`].
    pub fn classify(&self, rank: u64) -> Result<(ValueSegment, AbcClass, PyramidLevel)> {
        if rank >= self.ranked {
            return Err(Error::config("rank", format!("{rank} is not below the {} ranked customers", self.ranked)));
        }
        let level = |ends: &[u64]| ends.iter().position(|&e| rank < e).expect("the last end is the count");
        let segment = ValueSegment::ALL[level(&self.segment_ends)];
        let pyramid = [PyramidLevel::Top, PyramidLevel::Large, PyramidLevel::Medium, PyramidLevel::Small]
            [level(&self.pyramid_ends)];
        let abc = if rank < self.abc_ends[0] {
            AbcClass::A
        } else if rank < self.abc_ends[1] {
            AbcClass::B
        } else {
            AbcClass::C
        };
        Ok((segment, abc, pyramid))
    }

    /// The byte form (see [`Self::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMK");
        w.u64s(&[self.ranked]);
        w.u64s(&self.segment_ends);
        w.u64s(&self.pyramid_ends);
        w.u64s(&self.abc_ends);
        w.u64s(&self.bounds.iter().map(|&b| b as u64).collect::<Vec<u64>>());
        w.u64s(&self.firsts);
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `segment ranker`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMK", "segment ranker")?;
        let (ranked, segment_ends, pyramid_ends, abc) = (r.u64s()?, r.u64s()?, r.u64s()?, r.u64s()?);
        let (bounds, firsts) = (r.u64s()?.into_iter().map(|b| b as i64).collect::<Vec<i64>>(), r.u64s()?);
        r.end()?;
        let ascending_to =
            |e: &[u64], n: u64, k: usize| e.len() == k && e.windows(2).all(|w| w[0] <= w[1]) && e[k - 1] == n;
        let ok = ranked.len() == 1
            && ascending_to(&segment_ends, ranked[0], 3)
            && ascending_to(&pyramid_ends, ranked[0], 4)
            && abc.len() == 2
            && abc[0] <= abc[1]
            && abc[1] <= ranked[0]
            && firsts.len() == bounds.len() + 1
            && firsts.len() <= MAX_BUCKETS as usize
            && firsts[0] == 0
            && firsts.windows(2).all(|w| w[0] < w[1])
            && (firsts.last().is_some_and(|&f| f < ranked[0]) || ranked[0] == 0 && firsts == [0])
            && bounds.windows(2).all(|w| w[0] < w[1]);
        if !ok {
            return Err(Error::config("segment ranker", "the boundaries are inconsistent"));
        }
        Ok(SegmentRanker { ranked: ranked[0], segment_ends, pyramid_ends, abc_ends: [abc[0], abc[1]], bounds, firsts })
    }
}

/// A share of the segment tables (top / middle / bottom, ABC, pyramid): customers, revenue,
/// margin, cost to serve and profit per class, which add up across tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentTablesPartial {
    sums: [Sums; SLOTS],
    has_margin: bool,
}

impl SegmentTablesPartial {
    /// No customers (the identity of [`Self::merge`]).
    pub fn empty(has_margin: bool) -> Self {
        SegmentTablesPartial { sums: [Sums::default(); SLOTS], has_margin }
    }

    /// The sums of classified customers (`segment` and `abc` are `None` for the unranked).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the columns differ in length.
    pub fn of(
        rows: &SegmentRows,
        segment: &[Option<ValueSegment>],
        abc: &[Option<AbcClass>],
        pyramid: &[PyramidLevel],
    ) -> Result<Self> {
        Self::from_columns(rows.revenue.as_slice(), rows.margin.as_deref(), rows.cost.as_deref(), segment, abc, pyramid)
    }

    /// [`Self::of`] from columns: revenue, margin (`None` without margins) and cost to serve
    /// (`None`: all 0) per customer, with its classes.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the columns differ in length.
    pub fn from_columns(
        revenue: &[f64],
        margin: Option<&[f64]>,
        cost: Option<&[f64]>,
        segment: &[Option<ValueSegment>],
        abc: &[Option<AbcClass>],
        pyramid: &[PyramidLevel],
    ) -> Result<Self> {
        let n = revenue.len();
        let lengths = [
            ("margin", margin.map_or(n, <[f64]>::len)),
            ("cost", cost.map_or(n, <[f64]>::len)),
            ("segment", segment.len()),
            ("abc", abc.len()),
            ("pyramid", pyramid.len()),
        ];
        if let Some((name, len)) = lengths.iter().find(|(_, len)| *len != n) {
            return Err(Error::LengthMismatch {
                column: (*name).into(),
                reference: "revenue".into(),
                expected: n,
                actual: *len,
            });
        }
        let inputs = TableInputs { revenue, margin, cost, segment, abc, pyramid };
        Ok(SegmentTablesPartial { sums: table_sums(&inputs), has_margin: margin.is_some() })
    }

    /// Adds another share.
    pub fn merge(&mut self, other: &SegmentTablesPartial) {
        self.has_margin |= other.has_margin;
        self.sums.iter_mut().zip(&other.sums).for_each(|(s, o)| s.merge(o));
    }

    /// The three tables, as [`crate::Segments`] has them: top / middle / bottom, A / B / C,
    /// and the six pyramid levels.
    pub fn finish(&self) -> [Vec<SegmentRow>; 3] {
        tables(&self.sums, self.has_margin)
    }

    /// The byte form (see [`Self::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMT");
        w.u64s(&[self.has_margin as u64]);
        let counts: Vec<u64> = self.sums.iter().flat_map(|s| [s.customers as u64, s.negative_profit as u64]).collect();
        w.u64s(&counts);
        let money: Vec<f64> = self.sums.iter().flat_map(|s| [s.revenue, s.margin, s.cost, s.profit]).collect();
        w.f64s(&money);
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `segment tables partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMT", "segment tables partial")?;
        let (flag, counts, money) = (r.u64s()?, r.u64s()?, r.f64s()?);
        r.end()?;
        if flag.len() != 1 || flag[0] > 1 || counts.len() != 2 * SLOTS || money.len() != 4 * SLOTS {
            return Err(Error::config("segment tables partial", "the sums are inconsistent"));
        }
        let mut sums = [Sums::default(); SLOTS];
        for (k, s) in sums.iter_mut().enumerate() {
            *s = Sums {
                customers: counts[2 * k] as usize,
                negative_profit: counts[2 * k + 1] as usize,
                revenue: money[4 * k],
                margin: money[4 * k + 1],
                cost: money[4 * k + 2],
                profit: money[4 * k + 3],
            };
        }
        Ok(SegmentTablesPartial { sums, has_margin: flag[0] == 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial(values: &[f64]) -> SegmentsPartial {
        SegmentsPartial::from_columns(values, &vec![Standing::Ranked; values.len()]).unwrap()
    }

    #[test]
    fn buckets_hold_whole_values_and_know_their_first_rank() {
        // 3 x 50, 1 x 40, 4 x 30, 2 x 10: ranks 0-2, 3, 4-7, 8-9.
        let values = [30.0, 50.0, 10.0, 30.0, 50.0, 40.0, 30.0, 10.0, 50.0, 30.0];
        let ranker = partial(&values).finish(&SegmentConfig::default(), 3).unwrap();
        // Target ceil(10 / 3) = 4 customers: {50, 40} (4), {30} (4), {10} (2).
        assert_eq!(ranker.buckets(), 3);
        assert_eq!([50.0, 40.0, 30.0, 10.0].map(|v| ranker.bucket(v)), [0, 0, 1, 2]);
        assert_eq!(ranker.ranks(&[50.0, 50.0, 50.0, 40.0]).unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(ranker.ranks(&[30.0, 30.0, 30.0, 30.0, 10.0, 10.0]).unwrap(), vec![4, 5, 6, 7, 8, 9]);
        // Unsorted rows, and a bucket with more rows than counted, are errors.
        assert!(ranker.ranks(&[40.0, 50.0]).is_err());
        assert!(ranker.ranks(&[10.0, 10.0, 10.0]).is_err());
        // One bucket when asked for one; as many as values at most.
        assert_eq!(partial(&values).finish(&SegmentConfig::default(), 1).unwrap().buckets(), 1);
        assert_eq!(partial(&values).finish(&SegmentConfig::default(), 64).unwrap().buckets(), 4);
        assert!(partial(&values).finish(&SegmentConfig::default(), 0).is_err());
        assert!(partial(&values).finish(&SegmentConfig::default(), MAX_BUCKETS + 1).is_err());
    }

    #[test]
    fn ranker_bytes_round_trip_and_reject_damage() {
        for values in [&[][..], &[1.0][..], &[3.0, 1.0, 2.0, 2.0, -1.0, 0.0][..]] {
            let ranker = partial(values).finish(&SegmentConfig::default(), 2).unwrap();
            let bytes = ranker.to_bytes();
            assert_eq!(SegmentRanker::from_bytes(&bytes).unwrap(), ranker);
            for cut in 0..bytes.len() {
                assert!(SegmentRanker::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
            }
        }
        let tables = SegmentTablesPartial::empty(true);
        assert_eq!(SegmentTablesPartial::from_bytes(&tables.to_bytes()).unwrap(), tables);
        assert!(SegmentsPartial::from_bytes(&tables.to_bytes()).is_err());
    }

    #[test]
    fn classify_refuses_a_rank_beyond_the_ranked() {
        let ranker = partial(&[5.0, 4.0]).finish(&SegmentConfig::default(), 1).unwrap();
        assert_eq!(ranker.classify(1).unwrap().2, PyramidLevel::Small);
        assert!(ranker.classify(2).is_err());
    }
}
