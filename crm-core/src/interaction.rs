//! Interactions (touchpoints): contacts over any channel, inbound or outbound, with a kind
//! (complaint, campaign contact, dialog id, ...), an outcome and a cost to serve.

use crate::customer::{Channel, CustomerIndex};
use crate::id::{KeyColumn, StrColumn};
use crate::transaction::{check_finite, check_len, gather, group_rows};
use serde::{Deserialize, Serialize};

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

    pub(crate) fn build(cols: InteractionColumns, codes: &[u32], customers: usize) -> Interactions {
        let kinds = crate::id::intern(&KeyColumn::Str(cols.kind));
        let outcomes = cols.outcome.map(|o| crate::id::intern(&KeyColumn::Str(o)));
        // The empty outcome means "none": map it to NO_OUTCOME, and drop it from the dictionary.
        let (outcome_codes, outcome_dict) = match outcomes {
            None => (vec![NO_OUTCOME; codes.len()], StrColumn::new()),
            Some(o) => {
                let KeyColumn::Str(dict) = o.uniques else { unreachable!("string column interned") };
                let empty_first = !dict.is_empty() && dict.get(0).is_empty();
                let shift = empty_first as u32;
                let codes =
                    o.codes.iter().map(|&c| if empty_first && c == 0 { NO_OUTCOME } else { c - shift }).collect();
                let dict = if empty_first { dict.iter().skip(1).collect() } else { dict };
                (codes, dict)
            }
        };
        let cost = cols.cost.unwrap_or_else(|| vec![0.0; codes.len()]);
        let (time, channel, direction, kind) = (&cols.timestamp, &cols.channel, &cols.direction, &kinds.codes);
        let (offsets, perm) = group_rows(codes, customers, |a, b| {
            let (a, b) = (a as usize, b as usize);
            (time[a], kind[a], channel[a], direction[a], outcome_codes[a])
                .cmp(&(time[b], kind[b], channel[b], direction[b], outcome_codes[b]))
                .then_with(|| cost[a].total_cmp(&cost[b]))
        });
        let KeyColumn::Str(kinds_dict) = kinds.uniques else { unreachable!("string column interned") };
        Interactions {
            time: gather(time, &perm),
            channel: gather(channel, &perm),
            direction: gather(direction, &perm),
            kind: gather(kind, &perm),
            kinds: kinds_dict,
            outcome: gather(&outcome_codes, &perm),
            outcomes: outcome_dict,
            cost: gather(&cost, &perm),
            offsets,
        }
    }
}
