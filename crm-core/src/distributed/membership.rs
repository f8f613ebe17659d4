//! Value-segment membership over all tasks at several dates, without ranks: what flows per
//! segment need at every period boundary.
//!
//! A customer's segment depends on where it falls against two cuts in the order (value
//! descending, id ascending): after the top share and after the middle share. The merged
//! exact value distribution of each date ([`MembershipPartial`]) places each cut either
//! between two values (the cut is a value: every customer of a higher value is above it)
//! or inside a group of customers tied on one value; then the cut also needs the id at
//! which it falls in that group, which the tasks supply: each sends the few smallest ids
//! of the group it holds ([`TieIds`]), the driver keeps the `offset + 1` smallest over all
//! tasks. Every task can then place each of its customers with no shuffle
//! ([`Membership::codes`]), with the single-machine order and tie rule.

use super::rank::ValueDistribution;
use super::segments::{abc_ends, rank_key};
use crate::CustomerBase;
use crate::error::{Error, Result};
use crate::id::Key;
use crate::rank::{from_ordered_bits, split_counts};
use crate::segments::{AbcClass, PyramidLevel, SegmentConfig, UNRANKED, ValueSegment, ranked_values};
use crate::time::date_to_day;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One task's share of the segmentations at several dates: per date, the exact
/// distribution of its ranked customers' values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipPartial {
    dates: Vec<NaiveDate>,
    values: Vec<ValueDistribution>,
}

impl MembershipPartial {
    /// No customers at `dates` (the identity of [`Self::merge`]).
    pub fn empty(dates: &[NaiveDate]) -> Self {
        MembershipPartial { dates: dates.to_vec(), values: vec![ValueDistribution::default(); dates.len()] }
    }

    /// The partial of a task's customers, as of the end of each date.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules.
    pub fn of(base: &CustomerBase, dates: &[NaiveDate], config: &SegmentConfig) -> Result<Self> {
        config.validate()?;
        let values = dates
            .iter()
            .map(|&d| {
                ValueDistribution::from_values(
                    ranked_values(base, date_to_day(d), config).into_iter().filter(|v| !v.is_nan()),
                )
            })
            .collect();
        Ok(MembershipPartial { dates: dates.to_vec(), values })
    }

    /// Adds another task's partial.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the dates differ.
    pub fn merge(&mut self, other: &MembershipPartial) -> Result<()> {
        if self.dates != other.dates {
            return Err(Error::config("membership partial", "the partials are of different dates"));
        }
        self.values.iter_mut().zip(&other.values).for_each(|(a, b)| a.merge(b));
        Ok(())
    }

    /// The cuts of each date; those inside a group of tied values still need their ids
    /// ([`Membership::needs_ids`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules.
    pub fn finish(&self, config: &SegmentConfig) -> Result<Membership> {
        config.validate()?;
        let cuts = self
            .values
            .iter()
            .map(|d| {
                let n = usize::try_from(d.len()).expect("counts fit in memory");
                let counts = split_counts(n, &config.shares);
                vec![cut_at(d, counts[0] as u64), cut_at(d, (counts[0] + counts[1]) as u64)]
            })
            .collect();
        Ok(Membership { dates: self.dates.clone(), cuts })
    }

    /// As [`Self::finish`], with the pyramid levels and ABC classes of the ranked customers
    /// at the last date too ([`Membership::classes`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules or without a date.
    pub fn finish_with_classes(&self, config: &SegmentConfig) -> Result<Membership> {
        let mut m = self.finish(config)?;
        let (Some(d), Some(cuts)) = (self.values.last(), m.cuts.last_mut()) else {
            return Err(Error::config("membership partial", "classes need a date"));
        };
        let n = usize::try_from(d.len()).expect("counts fit in memory");
        let mut above = 0u64;
        for count in &split_counts(n, &config.pyramid_shares)[..3] {
            above += *count as u64;
            cuts.push(cut_at(d, above));
        }
        cuts.extend(abc_ends(d, &config.abc_shares).map(|at| cut_at(d, at)));
        Ok(m)
    }

    /// The byte form (JSON after the tag).
    pub fn to_bytes(&self) -> Vec<u8> {
        let wire = Wire { dates: self.dates.clone(), values: self.values.iter().map(|d| d.to_bytes()).collect() };
        tagged(b"CRMP", &wire)
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `membership partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let wire: Wire = untagged(bytes, b"CRMP", "membership partial")?;
        if wire.dates.len() != wire.values.len() {
            return Err(Error::config("membership partial", "one distribution per date"));
        }
        let values = wire.values.iter().map(|b| ValueDistribution::from_bytes(b)).collect::<Result<_>>()?;
        Ok(MembershipPartial { dates: wire.dates, values })
    }
}

#[derive(Serialize, Deserialize)]
struct Wire {
    dates: Vec<NaiveDate>,
    values: Vec<Vec<u8>>,
}

fn tagged<T: Serialize>(tag: &[u8; 4], value: &T) -> Vec<u8> {
    let mut out = tag.to_vec();
    out.push(1);
    serde_json::to_writer(&mut out, value).expect("a partial serialises");
    out
}

fn untagged<T: for<'de> Deserialize<'de>>(bytes: &[u8], tag: &[u8; 4], what: &str) -> Result<T> {
    let body = bytes
        .strip_prefix(tag.as_slice())
        .and_then(|b| b.strip_prefix(&[1u8]))
        .ok_or_else(|| Error::config(what, "the bytes are not one (wrong tag or version)"))?;
    serde_json::from_slice(body).map_err(|e| Error::config(what, format!("unreadable: {e}")))
}

/// Where the first `above` customers of the order end.
fn cut_at(d: &ValueDistribution, above: u64) -> Cut {
    let mut seen = 0u64;
    // Descending values are ascending rank keys.
    for (key, count) in d.entries().rev() {
        let key = rank_key(from_ordered_bits(key));
        if seen == above {
            return Cut::Key(key);
        }
        if above < seen + count {
            return Cut::Tie { key, offset: above - seen, id: None };
        }
        seen += count;
    }
    Cut::All
}

/// A cut in the order: which customers are above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Cut {
    /// Every ranked customer.
    All,
    /// Customers whose rank key is below this one (a higher value).
    Key(i64),
    /// Customers of a higher value, and the first `offset` (by ascending id) of those tied
    /// on `key`: the ones whose id is below `id`, the tied group's id at `offset`.
    Tie { key: i64, offset: u64, id: Option<Key> },
}

impl Cut {
    fn above(&self, key: i64, id: &Key) -> bool {
        match self {
            Cut::All => true,
            Cut::Key(k) => key < *k,
            Cut::Tie { key: k, id: Some(t), .. } => key < *k || (key == *k && id < t),
            Cut::Tie { id: None, .. } => unreachable!("resolved before use"),
        }
    }
}

/// The segment cuts at several dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    dates: Vec<NaiveDate>,
    /// Per date: the end of the top and of the middle segment.
    /// Per date: the segment cuts (after top, after middle), then, for the last date of a
    /// membership with classes, the pyramid cuts (three) and the ABC cuts (two).
    cuts: Vec<Vec<Cut>>,
}

impl Membership {
    /// The dates of the segmentations.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Whether some cut falls inside a group of tied values and needs the tasks' ids
    /// ([`Self::tie_ids`], [`Self::resolve`]).
    pub fn needs_ids(&self) -> bool {
        self.cuts.iter().flatten().any(|c| matches!(c, Cut::Tie { id: None, .. }))
    }

    /// A task's part of the unresolved cuts: for each, the `offset + 1` smallest ids of its
    /// ranked customers tied on the cut's value.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `base`'s dates or rules are not the membership's.
    pub fn tie_ids(&self, base: &CustomerBase, config: &SegmentConfig) -> Result<TieIds> {
        let mut ids = Vec::new();
        for (date, cuts) in self.dates.iter().zip(&self.cuts) {
            let open: Vec<(i64, u64)> = cuts
                .iter()
                .filter_map(|c| match c {
                    Cut::Tie { key, offset, id: None } => Some((*key, *offset)),
                    _ => None,
                })
                .collect();
            if open.is_empty() {
                ids.push(Vec::new());
                continue;
            }
            let keys: Vec<Option<i64>> = ranked_values(base, date_to_day(*date), config)
                .iter()
                .map(|&v| (!v.is_nan()).then(|| rank_key(v)))
                .collect();
            ids.push(
                open.iter()
                    .map(|&(key, offset)| {
                        // Customers are in ascending id order: the first matches are the smallest.
                        let smallest = (0..keys.len())
                            .filter(|&c| keys[c] == Some(key))
                            .take(offset as usize + 1)
                            .map(|c| base.id(c as u32))
                            .collect();
                        (offset + 1, smallest)
                    })
                    .collect(),
            );
        }
        Ok(TieIds { ids })
    }

    /// Fills the unresolved cuts from the merged [`TieIds`] of every task.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the ids do not cover a cut (ids of other dates or
    /// rules, or tasks missing).
    pub fn resolve(&mut self, ids: &TieIds) -> Result<()> {
        if ids.ids.len() != self.cuts.len() {
            return Err(Error::config("tie ids", "one list per date"));
        }
        for (cuts, per_date) in self.cuts.iter_mut().zip(&ids.ids) {
            let mut lists = per_date.iter();
            for cut in cuts.iter_mut() {
                if let Cut::Tie { offset, id: slot @ None, .. } = cut {
                    let (_, list) = lists.next().ok_or_else(|| Error::config("tie ids", "a cut has no ids"))?;
                    let id = list.get(*offset as usize).ok_or_else(|| {
                        Error::config("tie ids", format!("{} ids for a cut at offset {offset}", list.len()))
                    })?;
                    *slot = Some(id.clone());
                }
            }
        }
        Ok(())
    }

    /// The segment code (0 top, 1 middle, 2 bottom, 3 not ranked) of each of a task's
    /// customers at each date.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when a cut is unresolved ([`Self::needs_ids`]).
    pub fn codes(&self, base: &CustomerBase, config: &SegmentConfig) -> Result<Vec<Vec<u8>>> {
        (0..self.dates.len())
            .map(|k| Ok(self.levels(k, base, config)?.into_iter().map(|l| l.map_or(UNRANKED, |l| l[0])).collect()))
            .collect()
    }

    /// Each of a task's customers' classes at the last date (`None`: not ranked), from a
    /// membership finished with classes ([`MembershipPartial::finish_with_classes`]): its
    /// value segment, ABC class and pyramid level, as [`CustomerBase::segments`] gives them.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when a cut is unresolved or the membership has no classes.
    pub fn classes(
        &self,
        base: &CustomerBase,
        config: &SegmentConfig,
    ) -> Result<Vec<Option<(ValueSegment, AbcClass, PyramidLevel)>>> {
        let last = self.dates.len().checked_sub(1).filter(|&k| self.cuts[k].len() == 7);
        let last = last.ok_or_else(|| Error::config("membership", "finished without the classes"))?;
        let pyramid = [PyramidLevel::Top, PyramidLevel::Large, PyramidLevel::Medium, PyramidLevel::Small];
        let abc = [AbcClass::A, AbcClass::B, AbcClass::C];
        Ok(self
            .levels(last, base, config)?
            .into_iter()
            .map(|l| l.map(|l| (ValueSegment::ALL[l[0] as usize], abc[l[2] as usize], pyramid[l[1] as usize])))
            .collect())
    }

    /// Per customer at date `k` (`None`: not ranked), how many cuts of each kind it falls
    /// below: [segment, pyramid, ABC] (the last two 0 without classes).
    fn levels(&self, k: usize, base: &CustomerBase, config: &SegmentConfig) -> Result<Vec<Option<[u8; 3]>>> {
        if self.needs_ids() {
            return Err(Error::config("membership", "a cut inside tied values has no id yet: resolve it first"));
        }
        let cuts = &self.cuts[k];
        let kinds: [&[Cut]; 3] = match cuts.len() {
            7 => [&cuts[..2], &cuts[2..5], &cuts[5..]],
            _ => [&cuts[..2], &[], &[]],
        };
        let values = ranked_values(base, date_to_day(self.dates[k]), config);
        Ok(values
            .iter()
            .enumerate()
            .map(|(c, &v)| {
                (!v.is_nan()).then(|| {
                    let (key, id) = (rank_key(v), base.id(c as u32));
                    // The first cut a customer is above is its class; below all, the last class.
                    kinds.map(|cuts| cuts.iter().position(|cut| cut.above(key, &id)).unwrap_or(cuts.len()) as u8)
                })
            })
            .collect())
    }

    /// The byte form (JSON after the tag).
    pub fn to_bytes(&self) -> Vec<u8> {
        tagged(b"CRMB", self)
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `membership`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let m: Membership = untagged(bytes, b"CRMB", "membership")?;
        let classes_last = |k: usize, n: usize| n == 2 || (k + 1 == m.cuts.len() && n == 7);
        if m.dates.len() != m.cuts.len() || !m.cuts.iter().enumerate().all(|(k, c)| classes_last(k, c.len())) {
            return Err(Error::config("membership", "one pair of cuts per date (and the classes' at the last)"));
        }
        Ok(m)
    }
}

/// The tasks' smallest ids of the tied groups a [`Membership`]'s cuts fall in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieIds {
    /// Per date, per unresolved cut (in cut order): how many of the smallest ids the cut
    /// needs (its offset + 1), and the smallest ids seen, ascending.
    ids: Vec<Vec<(u64, Vec<Key>)>>,
}

impl TieIds {
    /// Adds another task's ids, keeping per cut only the smallest it needs. The default
    /// (no ids) is the identity.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the two are not of the same cuts.
    pub fn merge(&mut self, other: &TieIds) -> Result<()> {
        if self.ids.is_empty() {
            self.ids = other.ids.clone();
            return Ok(());
        }
        let shape = |t: &TieIds| t.ids.iter().map(|d| d.iter().map(|c| c.0).collect::<Vec<_>>()).collect::<Vec<_>>();
        if shape(self) != shape(other) {
            return Err(Error::config("tie ids", "the ids are of different cuts"));
        }
        for ((need, a), (_, b)) in self.ids.iter_mut().flatten().zip(other.ids.iter().flatten()) {
            a.extend(b.iter().cloned());
            a.sort_unstable();
            a.truncate(*need as usize);
        }
        Ok(())
    }

    /// The byte form (JSON after the tag).
    pub fn to_bytes(&self) -> Vec<u8> {
        tagged(b"CRMI", self)
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `tie ids`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        untagged(bytes, b"CRMI", "tie ids")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransactionColumns;

    fn base(ids: &[i64], amount: f64) -> CustomerBase {
        let tx = TransactionColumns::new(ids.to_vec().into(), vec![0; ids.len()], vec![amount; ids.len()]);
        CustomerBase::from_transactions(tx).unwrap()
    }

    #[test]
    fn a_cut_inside_ties_spread_over_tasks_takes_the_smallest_ids() {
        // Ten customers all worth 5: top = the 2 smallest ids, middle the next 5 (ids by
        // hand: 1, 2 | 3, 4, 5, 6, 7 | 8, 9, 10), the ids spread so no task holds enough.
        let tasks = [base(&[2, 5, 9], 5.0), base(&[1, 7, 10], 5.0), base(&[3, 4, 6, 8], 5.0)];
        let date = NaiveDate::from_ymd_opt(1970, 1, 10).unwrap();
        let config = SegmentConfig::default();
        let mut values = MembershipPartial::empty(&[date]);
        for t in &tasks {
            values.merge(&MembershipPartial::of(t, &[date], &config).unwrap()).unwrap();
        }
        let mut m = values.finish(&config).unwrap();
        assert!(m.needs_ids());
        assert!(m.codes(&tasks[0], &config).is_err());
        let mut ids = TieIds::default();
        for t in &tasks {
            ids.merge(&m.tie_ids(t, &config).unwrap()).unwrap();
        }
        m.resolve(&ids).unwrap();
        let codes: Vec<Vec<u8>> = tasks.iter().map(|t| m.codes(t, &config).unwrap().remove(0)).collect();
        assert_eq!(codes, vec![vec![0, 1, 2], vec![0, 1, 2], vec![1, 1, 1, 2]]);
    }

    #[test]
    fn bytes_round_trip_and_refuse_other_kinds() {
        let date = NaiveDate::from_ymd_opt(1970, 1, 10).unwrap();
        let p = MembershipPartial::of(&base(&[1, 2], 3.0), &[date], &SegmentConfig::default()).unwrap();
        assert_eq!(MembershipPartial::from_bytes(&p.to_bytes()).unwrap(), p);
        let m = p.finish(&SegmentConfig::default()).unwrap();
        assert_eq!(Membership::from_bytes(&m.to_bytes()).unwrap(), m);
        assert!(Membership::from_bytes(&p.to_bytes()).is_err());
        assert!(TieIds::from_bytes(b"CRMI\x01{").is_err());
    }
}
