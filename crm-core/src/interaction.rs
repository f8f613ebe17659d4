//! Interactions (touchpoints): contacts over any channel, inbound or outbound, with a kind
//! (complaint, campaign contact, dialog id, ...), an outcome and a cost to serve.

use crate::customer::{Channel, CustomerIndex};
use crate::grouping::{Buckets, for_each_group, scratch_from_ids};
use crate::id::{KeyColumn, StrColumn, intern_labels};
use crate::parallel::SplitAt;
use crate::transaction::{check_finite, check_len};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Who started the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Direction {
    /// The customer contacted the company (service, complaint, web registration).
    Inbound = 0,
    /// The company contacted the customer (campaign, follow-up, visit).
    Outbound = 1,
}

impl std::str::FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "inbound" | "in" => Ok(Direction::Inbound),
            "outbound" | "out" => Ok(Direction::Outbound),
            _ => Err(format!("unknown direction `{s}` (inbound or outbound)")),
        }
    }
}

/// Interactions as whole columns. `outcome` uses the empty string for "no outcome".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InteractionColumns {
    /// Customer id per row.
    pub customer: KeyColumn,
    /// Unix seconds per row.
    pub timestamp: Vec<i64>,
    /// Channel per row.
    pub channel: Vec<Channel>,
    /// Direction per row.
    pub direction: Vec<Direction>,
    /// Kind per row (e.g. `complaint`, `campaign`, `P:1/D:2`).
    pub kind: StrColumn,
    /// Outcome per row (e.g. `yes`, `no`); empty for none.
    pub outcome: Option<StrColumn>,
    /// Cost to serve per row.
    pub cost: Option<Vec<f64>>,
}

impl InteractionColumns {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn validate(&self) -> crate::Result<()> {
        let n = self.customer.len();
        check_len("timestamp", self.timestamp.len(), "customer", n)?;
        crate::time::check_timestamps("timestamp (interactions)", crate::Instants::Seconds(&self.timestamp))?;
        check_len("channel", self.channel.len(), "customer", n)?;
        check_len("direction", self.direction.len(), "customer", n)?;
        check_len("kind", self.kind.len(), "customer", n)?;
        if let Some(o) = &self.outcome {
            check_len("outcome", o.len(), "customer", n)?;
        }
        if let Some(c) = &self.cost {
            check_len("cost", c.len(), "customer", n)?;
            check_finite("cost", c)?;
        }
        Ok(())
    }
}

/// Code for "no outcome".
pub const NO_OUTCOME: u32 = u32::MAX;

/// The interactions of a base, grouped by customer and sorted by time.
#[derive(Debug, Clone, Default)]
pub struct Interactions {
    pub(crate) offsets: Vec<usize>,
    pub(crate) time: Vec<i64>,
    pub(crate) channel: Vec<Channel>,
    pub(crate) direction: Vec<Direction>,
    pub(crate) kind: Vec<u32>,
    pub(crate) kinds: StrColumn,
    pub(crate) outcome: Vec<u32>,
    pub(crate) outcomes: StrColumn,
    pub(crate) cost: Vec<f64>,
}

/// One customer's interactions, sorted by time.
#[derive(Debug, Clone, Copy)]
pub struct CustomerInteractions<'a> {
    /// Unix seconds.
    pub time: &'a [i64],
    /// Channels.
    pub channel: &'a [Channel],
    /// Directions.
    pub direction: &'a [Direction],
    /// Kind codes (see [`Interactions::kinds`]).
    pub kind: &'a [u32],
    /// Outcome codes (see [`Interactions::outcomes`]); [`NO_OUTCOME`] for none.
    pub outcome: &'a [u32],
    /// Costs (0 where none was given).
    pub cost: &'a [f64],
}

impl Interactions {
    /// Total number of interactions.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// The distinct kinds, sorted; kind codes index into it.
    pub fn kinds(&self) -> &StrColumn {
        &self.kinds
    }

    /// The code of an outcome, if any interaction has it.
    pub fn outcome_code(&self, outcome: &str) -> Option<u32> {
        self.outcomes.position_sorted(outcome).map(|i| i as u32)
    }

    /// The distinct outcomes, sorted; outcome codes index into it.
    pub fn outcomes(&self) -> &StrColumn {
        &self.outcomes
    }

    /// The code of a kind, if any interaction has it.
    pub fn kind_code(&self, kind: &str) -> Option<u32> {
        self.kinds.position_sorted(kind).map(|i| i as u32)
    }

    /// One customer's interactions.
    ///
    /// # Panics
    /// When `customer` is not an index of the base.
    pub fn of(&self, customer: CustomerIndex) -> CustomerInteractions<'_> {
        if self.offsets.is_empty() {
            return CustomerInteractions {
                time: &[],
                channel: &[],
                direction: &[],
                kind: &[],
                outcome: &[],
                cost: &[],
            };
        }
        let (a, b) = (self.offsets[customer as usize], self.offsets[customer as usize + 1]);
        CustomerInteractions {
            time: &self.time[a..b],
            channel: &self.channel[a..b],
            direction: &self.direction[a..b],
            kind: &self.kind[a..b],
            outcome: &self.outcome[a..b],
            cost: &self.cost[a..b],
        }
    }

    /// Builds the store from validated columns whose customer ids are already coded. The
    /// labels are interned ([`intern_labels`]), every column is moved into customer order
    /// (see [`Buckets`]; no row permutation is kept), then each customer's
    /// interactions are put in canonical order.
    pub(crate) fn build(cols: InteractionColumns, codes: &[u32], customers: usize) -> Interactions {
        let n = codes.len();
        let InteractionColumns { customer, timestamp, channel, direction, kind, outcome, cost } = cols;
        let (kinds, kind_codes) = intern_labels(&kind);
        drop(kind);
        let (outcomes, outcome) = match outcome {
            None => (StrColumn::new(), None),
            Some(o) => {
                let (dict, codes) = outcome_codes(&o);
                (dict, Some(codes))
            }
        };
        let kind = kind_codes;
        // The columns are grouped one by one, each in place through a staging column; the
        // customer ids' memory stages the times.
        let buckets = Buckets::new(codes, customers);
        let (mut time, mut kind, mut outcome, mut cost) = (timestamp, kind, outcome, cost);
        let mut staging = scratch_from_ids(customer, n);
        buckets.group(&mut time, &mut staging);
        drop(staging);
        let mut ints = vec![0u32; n];
        buckets.group(&mut kind, &mut ints);
        if let Some(o) = outcome.as_mut() {
            buckets.group(o, &mut ints);
        }
        drop(ints);
        if let Some(c) = cost.as_mut() {
            buckets.group(c, &mut vec![0.0; n]);
        }
        let (mut channel, mut direction) = (channel, direction);
        let (mut channels, mut directions) = (channel.clone(), direction.clone());
        buckets.group(&mut channel, &mut channels);
        buckets.group(&mut direction, &mut directions);
        let mut store = Interactions {
            offsets: Vec::new(),
            time,
            channel,
            direction,
            kind,
            kinds,
            outcome: outcome.unwrap_or_else(|| vec![NO_OUTCOME; n]),
            outcomes,
            cost: cost.unwrap_or_else(|| vec![0.0; n]),
        };
        let offsets = buckets.offsets;
        for_each_group(&offsets, store.columns(), |piece, group, keys| piece.sort_group(group, keys));
        store.offsets = offsets;
        store
    }

    /// The grouped columns as mutable slices.
    fn columns(&mut self) -> Columns<'_> {
        Columns {
            time: &mut self.time,
            channel: &mut self.channel,
            direction: &mut self.direction,
            kind: &mut self.kind,
            outcome: &mut self.outcome,
            cost: &mut self.cost,
        }
    }
}

/// The outcomes' dictionary and codes: the empty outcome means "none", so it is dropped
/// from the dictionary and coded [`NO_OUTCOME`].
fn outcome_codes(outcome: &StrColumn) -> (StrColumn, Vec<u32>) {
    let (dict, mut codes) = intern_labels(outcome);
    if dict.is_empty() || !dict.get(0).is_empty() {
        return (dict, codes);
    }
    // The empty string sorts first: shifting every code down makes its 0 wrap to NO_OUTCOME.
    crate::parallel::fill(&mut codes, |_, piece| piece.iter_mut().for_each(|c| *c = c.wrapping_sub(1)));
    (dict.iter().skip(1).collect(), codes)
}

/// Mutable slices of the grouped columns, for ordering customers' groups on several threads.
struct Columns<'a> {
    time: &'a mut [i64],
    channel: &'a mut [Channel],
    direction: &'a mut [Direction],
    kind: &'a mut [u32],
    outcome: &'a mut [u32],
    cost: &'a mut [f64],
}

impl SplitAt for Columns<'_> {
    fn split_at(self, mid: usize) -> (Self, Self) {
        let (t0, t1) = self.time.split_at_mut(mid);
        let (c0, c1) = self.channel.split_at_mut(mid);
        let (d0, d1) = self.direction.split_at_mut(mid);
        let (k0, k1) = self.kind.split_at_mut(mid);
        let (o0, o1) = self.outcome.split_at_mut(mid);
        let (x0, x1) = self.cost.split_at_mut(mid);
        (
            Columns { time: t0, channel: c0, direction: d0, kind: k0, outcome: o0, cost: x0 },
            Columns { time: t1, channel: c1, direction: d1, kind: k1, outcome: o1, cost: x1 },
        )
    }
}

/// One interaction as a sort key: time, kind, channel, direction, outcome, then cost
/// (its bits flipped so that integer order is `f64::total_cmp` order). It holds every
/// field, so sorted keys are written back as they are.
type Key = (i64, u32, Channel, Direction, u32, i64);

/// Bits of a float whose signed-integer order is `total_cmp` order; its own inverse.
fn flip(bits: i64) -> i64 {
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

impl Columns<'_> {
    fn key(&self, i: usize) -> Key {
        let cost = flip(self.cost[i].to_bits() as i64);
        (self.time[i], self.kind[i], self.channel[i], self.direction[i], self.outcome[i], cost)
    }

    /// Sorts a customer's interactions by [`Key`], so the store is the same for any row
    /// order. Groups in strict time order (the usual export) are only checked.
    fn sort_group(&mut self, g: Range<usize>, keys: &mut Vec<Key>) {
        if self.time[g.clone()].windows(2).all(|w| w[0] < w[1]) {
            return;
        }
        keys.clear();
        keys.extend(g.clone().map(|i| self.key(i)));
        if keys.is_sorted() {
            return;
        }
        keys.sort_unstable();
        for (i, &(time, kind, channel, direction, outcome, cost)) in g.zip(keys.iter()) {
            (self.time[i], self.kind[i], self.channel[i], self.direction[i]) = (time, kind, channel, direction);
            (self.outcome[i], self.cost[i]) = (outcome, f64::from_bits(flip(cost) as u64));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of three customers with ties on time broken by every other field.
    fn columns(rows: &[usize]) -> InteractionColumns {
        let all: Vec<(i64, i64, Channel, Direction, &str, &str, f64)> = vec![
            (2, 50, Channel::Email, Direction::Outbound, "campaign", "no", 1.5),
            (1, 10, Channel::Web, Direction::Inbound, "lead", "", 0.0),
            (2, 50, Channel::Email, Direction::Outbound, "campaign", "yes", 1.5),
            (1, 10, Channel::Web, Direction::Inbound, "lead", "", -0.0),
            (3, 5, Channel::Phone, Direction::Inbound, "complaint", "resolved", 35.0),
            (2, 50, Channel::Letter, Direction::Outbound, "campaign", "no", 1.5),
            (2, 20, Channel::Email, Direction::Inbound, "campaign", "no", 1.5),
            (1, 10, Channel::Web, Direction::Outbound, "lead", "", 0.0),
            (2, 50, Channel::Email, Direction::Outbound, "campaign", "no", 1.5),
            (1, 9, Channel::Web, Direction::Inbound, "welcome", "", 2.0),
        ];
        let pick: Vec<_> = rows.iter().map(|&r| all[r]).collect();
        InteractionColumns {
            customer: KeyColumn::Int(pick.iter().map(|r| r.0).collect()),
            timestamp: pick.iter().map(|r| r.1).collect(),
            channel: pick.iter().map(|r| r.2).collect(),
            direction: pick.iter().map(|r| r.3).collect(),
            kind: pick.iter().map(|r| r.4).collect(),
            outcome: Some(pick.iter().map(|r| r.5).collect()),
            cost: Some(pick.iter().map(|r| r.6).collect()),
        }
    }

    fn build(rows: &[usize]) -> Interactions {
        let cols = columns(rows);
        let KeyColumn::Int(ids) = &cols.customer else { unreachable!() };
        let codes: Vec<u32> = ids.iter().map(|&id| id as u32 - 1).collect();
        Interactions::build(cols, &codes, 4)
    }

    #[test]
    fn the_store_does_not_depend_on_row_order() {
        let forward: Vec<usize> = (0..10).collect();
        let (a, b) = (build(&forward), build(&forward.iter().rev().copied().collect::<Vec<_>>()));
        assert_eq!(a.offsets, vec![0, 4, 9, 10, 10]);
        assert_eq!(a.kinds().iter().collect::<Vec<_>>(), ["campaign", "complaint", "lead", "welcome"]);
        assert_eq!(a.outcomes().iter().collect::<Vec<_>>(), ["no", "resolved", "yes"]);
        for c in 0..4 {
            let (x, y) = (a.of(c), b.of(c));
            assert_eq!(
                (x.time, x.channel, x.direction, x.kind, x.outcome),
                (y.time, y.channel, y.direction, y.kind, y.outcome)
            );
            assert_eq!(
                x.cost.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                y.cost.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
        let first = a.of(0);
        assert_eq!(first.time, &[9, 10, 10, 10]);
        assert_eq!(first.outcome, &[NO_OUTCOME; 4]);
        // Ties on time, kind, channel: inbound first, -0.0 before 0.0.
        assert_eq!(first.direction, &[Direction::Inbound, Direction::Inbound, Direction::Inbound, Direction::Outbound]);
        assert_eq!(first.cost[1].to_bits(), (-0.0f64).to_bits());
        assert_eq!(a.of(1).time, &[20, 50, 50, 50, 50]);
        assert_eq!(a.of(1).channel[1..], [Channel::Email, Channel::Email, Channel::Email, Channel::Letter]);
        assert_eq!(a.of(1).outcome[1..], [0, 0, 2, 0]);
    }
}
