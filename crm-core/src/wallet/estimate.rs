//! Yearly spend per customer and the wallet of every customer: attribute, peer-group
//! estimate or the whole base; shares, growth potential, ranks and the tables.

use super::groups::Level;
use super::tables::{Cols, TableSums};
use super::*;
use crate::parallel::map_tasks;
use std::borrow::Cow;

/// The attributes the wallet reads: the levels' and the wallet attribute.
pub(crate) fn wallet_attributes(config: &WalletConfig) -> impl Iterator<Item = &str> {
    config.levels.iter().flatten().chain(&config.regression).map(String::as_str).chain(config.attribute.as_deref())
}

/// Yearly spend in the window ending on `today`, per customer.
pub(crate) fn yearly_spend(base: &CustomerBase, today: Day, window_days: u32) -> Vec<f64> {
    let tx = base.transactions();
    let from = today - window_days as Day + 1;
    let per_year = 365.0 / window_days as f64;
    let mut spend = vec![0.0; base.len()];
    fill(&mut spend, |first, piece| {
        for (k, s) in piece.iter_mut().enumerate() {
            let t = tx.of((first + k) as CustomerIndex).until(today);
            let revenue: f64 = t.amount.range(t.first_on_or_after(from)..t.len()).sum();
            *s = revenue * per_year;
        }
    });
    spend
}

/// Per group of a level: its customers, its peers (customers with a positive spend) and
/// the quantile of the peers' spend (NaN without peers).
struct LevelQuantiles {
    members: Vec<usize>,
    peers: Vec<usize>,
    quantiles: Vec<f64>,
}

/// The quantile of peer spend of every group of a level (`group`: the customers' groups).
fn level_quantiles(group: &[u32], g: usize, spend: &[f64], q: f64) -> LevelQuantiles {
    let (mut members, mut peers) = (vec![0usize; g], vec![0usize; g]);
    for (&k, &s) in group.iter().zip(spend) {
        if k != MISSING {
            members[k as usize] += 1;
            peers[k as usize] += (s > 0.0) as usize;
        }
    }
    // Peer spends bucketed by group (in customer index order), one quantile per group.
    let mut offsets = vec![0usize; g + 1];
    for k in 0..g {
        offsets[k + 1] = offsets[k] + peers[k];
    }
    let mut values = vec![0.0; offsets[g]];
    let mut at = offsets.clone();
    for (&k, &s) in group.iter().zip(spend) {
        if k != MISSING && s > 0.0 {
            values[at[k as usize]] = s;
            at[k as usize] += 1;
        }
    }
    let quantiles = (0..g).map(|k| quantile(&mut values[offsets[k]..offsets[k + 1]], q)).collect();
    LevelQuantiles { members, peers, quantiles }
}

/// The quantile regression of `config.regression`, fitted on the peers with every
/// attribute; it gives the wallet of every customer with every attribute whose wallet
/// attribute gave none. `None` (with a note) when not configured or not fitted.
fn fit_regression(
    table: &AttributeTable,
    config: &WalletConfig,
    spend: &[f64],
    wallet: &mut [f64],
    source: &mut [WalletSource],
    notes: &mut Vec<String>,
) -> Option<WalletRegression> {
    if config.regression.is_empty() {
        return None;
    }
    let n = spend.len();
    let columns: Vec<Cow<'_, [f64]>> = config.regression.iter().map(|a| table.get(a).numbers()).collect();
    let complete = |c: usize| columns.iter().all(|col| !col[c].is_nan());
    let rows: Vec<usize> = (0..n).filter(|&c| spend[c] > 0.0 && complete(c)).collect();
    let x: Vec<Vec<f64>> = columns.iter().map(|col| rows.iter().map(|&c| col[c]).collect()).collect();
    let x: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
    let y: Vec<f64> = rows.iter().map(|&c| spend[c]).collect();
    let names = config.regression.join(", ");
    let coefficients = match quantile_regression(&x, &y, config.quantile) {
        Ok(b) => b,
        Err(e) => {
            let why = match e {
                Error::InvalidConfig { message, .. } => message,
                e => e.to_string(),
            };
            notes.push(format!(
                "quantile regression on {names} not fitted ({why}); every customer falls back to the peer groups"
            ));
            return None;
        }
    };
    let (mut used_by, mut lacking) = (0, 0);
    for c in 0..n {
        if source[c] == WalletSource::Attribute {
            continue;
        }
        if !complete(c) {
            lacking += 1;
            continue;
        }
        let fit = coefficients[0] + columns.iter().zip(&coefficients[1..]).map(|(col, b)| col[c] * b).sum::<f64>();
        wallet[c] = fit.max(0.0);
        source[c] = WalletSource::Regression;
        used_by += 1;
    }
    if lacking > 0 {
        notes.push(format!(
            "quantile regression on {names}: {lacking} customer(s) lack an attribute and fall back to the peer groups"
        ));
    }
    Some(WalletRegression {
        attributes: config.regression.clone(),
        coefficients,
        quantile: config.quantile,
        peers: rows.len(),
        used_by,
    })
}

impl CustomerBase {
    /// Share of wallet and growth potential of every customer as of a date (see the
    /// [module documentation](crate::wallet) for the rules).
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::wallet::{WalletConfig, WalletSource};
    /// use crm_core::{CustomerBase, TransactionColumns};
    /// // Three customers spend 100, 200 and 300 in the year; no attributes: the wallet of
    /// // each is the 0.9 quantile of the base, 200 + 0.8 x 100 = 280.
    /// let base = CustomerBase::from_transactions(TransactionColumns::new(
    ///     vec![1_i64, 2, 3].into(),
    ///     vec![0, 0, 0],
    ///     vec![100.0, 200.0, 300.0],
    /// ))?;
    /// let w = base.wallet(NaiveDate::from_ymd_opt(1970, 6, 1).unwrap(), &WalletConfig::default())?;
    /// assert!((w.wallet[0] - 280.0).abs() < 1e-9);
    /// assert_eq!(w.source[0], WalletSource::Base);
    /// assert!((w.growth_potential[0] - 180.0).abs() < 1e-9);
    /// assert!(w.over_wallet[2]); // 300 > 280: share capped at 1
    /// assert_eq!(w.rank[0], Some(0));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules (see [`WalletConfig::validate`]).
    pub fn wallet(&self, as_of: NaiveDate, config: &WalletConfig) -> Result<Wallet> {
        config.validate()?;
        let segments = self.segments(as_of, &config.segments)?.segment;
        let stages = self.lifecycle(as_of, &config.lifecycle)?.stages;
        self.wallet_with(as_of, config, Some(&segments), Some(&stages))
    }

    /// [`Self::wallet`] with the value segments ([`crate::Segments::segment`]) and
    /// lifecycle stages ([`crate::Lifecycle::stages`]) already computed, e.g. when they
    /// are needed elsewhere too; `None` leaves the table per segment or per stage empty
    /// (and `config.segments` / `config.lifecycle` unused).
    ///
    /// # Errors
    /// As [`Self::wallet`]; [`Error::LengthMismatch`] when a slice does not hold one entry
    /// per customer.
    pub fn wallet_with(
        &self,
        as_of: NaiveDate,
        config: &WalletConfig,
        segments: Option<&[Option<ValueSegment>]>,
        stages: Option<&[LifecycleStage]>,
    ) -> Result<Wallet> {
        config.validate()?;
        let n = self.len();
        for (name, len) in [("segments", segments.map(<[_]>::len)), ("stages", stages.map(<[_]>::len))] {
            if let Some(len) = len
                && len != n
            {
                return Err(Error::LengthMismatch {
                    column: name.into(),
                    reference: "customers".into(),
                    expected: n,
                    actual: len,
                });
            }
        }
        let table = AttributeTable::read(self, wallet_attributes(config));
        self.wallet_in(&table, as_of, config, segments, stages, None)
    }

    /// [`Self::wallet_with`] on attributes already read (at least [`wallet_attributes`]),
    /// the slices checked.
    pub(crate) fn wallet_in(
        &self,
        table: &AttributeTable,
        as_of: NaiveDate,
        config: &WalletConfig,
        segments: Option<&[Option<ValueSegment>]>,
        stages: Option<&[LifecycleStage]>,
        base: Option<BaseQuantile>,
    ) -> Result<Wallet> {
        let n = self.len();
        let today = date_to_day(as_of);
        let spend = yearly_spend(self, today, config.window_days);
        let mut notes = Vec::new();

        // The attribute.
        let mut wallet = vec![f64::NAN; n];
        let mut source = vec![WalletSource::None; n];
        let mut attribute_problem = vec![None; n];
        let mut counts = WalletCounts::default();
        if let Some(attr) = &config.attribute {
            let column = table.get(attr);
            for c in 0..n {
                let value = column.number(c);
                let problem = match value {
                    None => Some(WalletProblem::Missing),
                    Some(Ok(x)) if !x.is_finite() => Some(WalletProblem::NotANumber),
                    Some(Ok(x)) if x < 0.0 => Some(WalletProblem::Negative),
                    Some(Ok(x)) => {
                        wallet[c] = x;
                        source[c] = WalletSource::Attribute;
                        None
                    }
                    Some(Err(())) => Some(WalletProblem::NotANumber),
                };
                if let Some(p) = problem {
                    counts.problems[p as usize] += 1;
                }
                attribute_problem[c] = problem;
            }
            let bad: usize = counts.problems.iter().sum();
            if bad > 0 {
                notes.push(format!(
                    "wallet attribute `{attr}`: {bad} customer(s) fell back to the estimate ({} missing, {} negative, {} not a number)",
                    counts.problems[0], counts.problems[1], counts.problems[2]
                ));
            }
        }

        let regression = fit_regression(table, config, &spend, &mut wallet, &mut source, &mut notes);

        // The peer groups.
        let columns = columns_of(table, config.levels.iter().flatten(), &config.bands);
        for (name, col) in &columns {
            match col.labels.len() {
                0 => notes.push(format!("grouping attribute `{name}` has no value: every customer lacks it")),
                1 => notes.push(format!("grouping attribute `{name}` has one value only (`{}`)", col.labels[0])),
                _ => {}
            }
        }
        let mut levels = Vec::with_capacity(config.levels.len());
        for names in &config.levels {
            let cols: Vec<&Categorical> = names.iter().map(|a| columns[a.as_str()].as_ref()).collect();
            let (group, keys) = level_groups(names, &cols)?;
            levels.push(Level { group, keys });
        }
        // The quantiles of every level's groups and of the whole base, as tasks on all
        // threads.
        let (per_level, whole) = {
            let mut done = map_tasks(levels.len() + 1, n, |t| match levels.get(t) {
                Some(level) => level_quantiles(&level.group, level.keys.len(), &spend, config.quantile),
                None => {
                    let (q, peers) = match base {
                        Some(b) => (b.value, b.peers),
                        None => {
                            let mut all: Vec<f64> = spend.iter().copied().filter(|&s| s > 0.0).collect();
                            (quantile(&mut all, config.quantile), all.len())
                        }
                    };
                    LevelQuantiles { members: vec![n], peers: vec![peers], quantiles: vec![q] }
                }
            });
            let whole = done.pop().expect("the base task");
            (done, whole)
        };
        counts.peers = whole.peers[0];
        let base_q = whole.quantiles[0];
        let mut groups = Vec::new();
        let mut first_row = Vec::with_capacity(levels.len());
        for (li, (level, q)) in levels.iter().zip(&per_level).enumerate() {
            let g = level.keys.len();
            first_row.push(groups.len());
            let mut small = 0;
            for k in 0..g {
                let below = q.peers[k] < config.min_peers;
                small += below as usize;
                groups.push(WalletGroup {
                    level: li,
                    key: level.keys[k].clone(),
                    customers: q.members[k],
                    peers: q.peers[k],
                    wallet: (q.peers[k] > 0).then_some(q.quantiles[k]),
                    below_min_peers: below,
                    used_by: 0,
                });
            }
            if small > 0 {
                notes.push(format!(
                    "level {li} ({}): {small} of {g} group(s) below {} peers, their customers fall back",
                    config.levels[li].join(" x "),
                    config.min_peers
                ));
            }
        }
        let base_row = groups.len();
        groups.push(WalletGroup {
            level: levels.len(),
            key: "all".into(),
            customers: n,
            peers: counts.peers,
            wallet: (counts.peers > 0).then_some(base_q),
            below_min_peers: counts.peers < config.min_peers,
            used_by: 0,
        });
        if counts.peers < config.min_peers {
            notes.push(format!(
                "the whole base has {} peer(s), fewer than min_peers {}; its quantile is used anyway",
                counts.peers, config.min_peers
            ));
        }

        // Estimates where the attribute gave none.
        let mut group = vec![None; n];
        for c in 0..n {
            if matches!(source[c], WalletSource::Attribute | WalletSource::Regression) {
                continue;
            }
            let mut found = None;
            for (li, level) in levels.iter().enumerate() {
                let k = level.group[c];
                if k != MISSING && !groups[first_row[li] + k as usize].below_min_peers {
                    found = Some((
                        first_row[li] + k as usize,
                        if li == 0 { WalletSource::Group } else { WalletSource::CoarserGroup },
                    ));
                    break;
                }
            }
            let (row, src) = match found {
                Some(f) => f,
                None if counts.peers > 0 => (base_row, WalletSource::Base),
                None => continue,
            };
            wallet[c] = groups[row].wallet.unwrap_or(f64::NAN);
            source[c] = src;
            group[c] = Some(row as u32);
            groups[row].used_by += 1;
        }
        if counts.peers == 0 {
            let none = source.iter().filter(|s| **s == WalletSource::None).count();
            if none > 0 {
                notes.push(no_spend_note(none));
            }
        }

        // Shares, growth potential, ranks.
        let mut share = vec![f64::NAN; n];
        let mut over_wallet = vec![false; n];
        let mut growth_potential = vec![f64::NAN; n];
        for c in 0..n {
            counts.by_source[source[c] as usize] += 1;
            let w = wallet[c];
            if w.is_nan() {
                continue;
            }
            let s = spend[c].max(0.0);
            let (sh, over) = if w > 0.0 {
                let r = s / w;
                if r > 1.0 { (1.0, true) } else { (r, false) }
            } else if s > 0.0 {
                (1.0, true)
            } else {
                (0.0, false)
            };
            share[c] = sh;
            over_wallet[c] = over;
            counts.over_wallet += over as usize;
            growth_potential[c] = (w - s).max(0.0);
        }
        let order = crate::rank::descending_order(
            (0..n).filter(|&c| !growth_potential[c].is_nan()).map(|c| (c as u32, growth_potential[c])),
        );
        let mut rank = vec![None; n];
        for (pos, &c) in order.iter().enumerate() {
            rank[c as usize] = Some(pos as u32);
        }
        let limit = if config.work_list_size == 0 { usize::MAX } else { config.work_list_size };
        let work_list = order
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| spend[c] > 0.0)
            .take(limit)
            .map(|c| GrowthEntry {
                customer: c as CustomerIndex,
                id: self.ids().display(c),
                spend: spend[c],
                wallet: wallet[c],
                share: share[c],
                growth_potential: growth_potential[c],
                source: source[c],
            })
            .collect();

        // Tables.
        let cols = Cols { spend: &spend, wallet: &wallet, share: &share, over: &over_wallet };
        let (by_segment, by_stage) = segment_stage_sums(&cols, segments, stages);
        let (by_segment, by_stage) =
            (by_segment.map_or_else(Vec::new, TableSums::finish), by_stage.map_or_else(Vec::new, TableSums::finish));
        let by_group = match levels.first() {
            Some(level) => {
                let mut names: Vec<&str> = level.keys.iter().map(String::as_str).collect();
                names.push("(missing)");
                let missing = level.keys.len();
                let mut rows = cols
                    .table(&names, |c| Some(if level.group[c] == MISSING { missing } else { level.group[c] as usize }));
                if rows.last().is_some_and(|r| r.customers == 0) {
                    rows.pop();
                }
                rows
            }
            None => Vec::new(),
        };

        Ok(Wallet {
            as_of,
            config: config.clone(),
            spend,
            wallet,
            share,
            over_wallet,
            growth_potential,
            rank,
            source,
            group,
            attribute_problem,
            groups,
            by_segment,
            by_stage,
            by_group,
            work_list,
            counts,
            regression,
            notes,
        })
    }
}

/// The whole base's quantile of the positive yearly spends and how many they are: on a
/// cluster, from every task's spends (see [`crate::distributed::ReportContext`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct BaseQuantile {
    pub(crate) value: f64,
    pub(crate) peers: usize,
}

/// The note when nobody spent in the window.
pub(crate) fn no_spend_note(none: usize) -> String {
    format!("no customer spent in the window: {none} customer(s) have no wallet")
}

/// The wallet tables' sums per value segment and per lifecycle stage.
fn segment_stage_sums(
    cols: &Cols<'_>,
    segments: Option<&[Option<ValueSegment>]>,
    stages: Option<&[LifecycleStage]>,
) -> (Option<TableSums>, Option<TableSums>) {
    let by_segment = segments.map(|segments| cols.sums(&SEGMENT_ROWS, |c| Some(segments[c].map_or(3, |s| s as usize))));
    let by_stage = stages.map(|stages| cols.sums(&stage_rows(), |c| Some(stages[c] as usize)));
    (by_segment, by_stage)
}

/// The rows of the wallet table per value segment (customers without one: `unranked`).
pub(crate) const SEGMENT_ROWS: [&str; 4] = ["top", "middle", "bottom", "unranked"];

/// The rows of the wallet table per lifecycle stage.
pub(crate) fn stage_rows() -> Vec<&'static str> {
    LifecycleStage::ALL.iter().map(|s| s.name()).collect()
}

impl Wallet {
    /// The sums behind [`Wallet::by_segment`] and [`Wallet::by_stage`] (to add up over a
    /// cluster's tasks).
    pub(crate) fn segment_stage_sums(
        &self,
        segments: Option<&[Option<ValueSegment>]>,
        stages: Option<&[LifecycleStage]>,
    ) -> (Option<TableSums>, Option<TableSums>) {
        let cols = Cols { spend: &self.spend, wallet: &self.wallet, share: &self.share, over: &self.over_wallet };
        segment_stage_sums(&cols, segments, stages)
    }
}
