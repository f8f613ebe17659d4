//! Net Promoter Score (deck 004): promoters score 9-10, passives 7-8, detractors 0-6;
//! NPS = % promoters - % detractors, with a normal-approximation interval, by group, and
//! the change between two periods.

use crate::base::CustomerBase;
use crate::error::{Error, Result};
use crate::stats::z_for;
use crate::time::{date_to_day, day_of};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An NPS with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Nps {
    /// Answers.
    pub responses: u64,
    /// Scores 9-10.
    pub promoters: u64,
    /// Scores 7-8.
    pub passives: u64,
    /// Scores 0-6.
    pub detractors: u64,
    /// 100 x (promoters - detractors) / responses.
    pub score: f64,
    /// Lower bound (variance (P + D - (P - D)^2) / n).
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Nps {
    fn variance(&self) -> f64 {
        if self.responses == 0 {
            return 0.0;
        }
        let n = self.responses as f64;
        let (p, d) = (self.promoters as f64 / n, self.detractors as f64 / n);
        (p + d - (p - d).powi(2)) / n * 10_000.0
    }
}

/// The NPS of 0-10 scores.
///
/// ```
/// // 50 promoters, 30 passives, 20 detractors: NPS 30.
/// let scores: Vec<u8> = [10u8; 50].into_iter().chain([7u8; 30]).chain([3u8; 20]).collect();
/// let n = crm_core::nps::nps(&scores, 0.95)?;
/// assert_eq!(n.score, 30.0);
/// // variance = (0.5 + 0.2 - 0.09) / 100 -> half-width 1.96 x sqrt(0.0061) x 100
/// assert!((n.high - 30.0 - 1.959963984540054 * 0.0061f64.sqrt() * 100.0).abs() < 1e-9);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidValue`] for a score above 10 (row = its position).
pub fn nps(scores: &[u8], confidence: f64) -> Result<Nps> {
    let (mut p, mut pa, mut d) = (0u64, 0u64, 0u64);
    for (row, &s) in scores.iter().enumerate() {
        match s {
            9 | 10 => p += 1,
            7 | 8 => pa += 1,
            0..=6 => d += 1,
            _ => return Err(Error::invalid(row, "score", format!("{s} is not a 0-10 score"))),
        }
    }
    Ok(finish(p, pa, d, confidence))
}

fn finish(promoters: u64, passives: u64, detractors: u64, confidence: f64) -> Nps {
    let n = promoters + passives + detractors;
    let score = if n == 0 { 0.0 } else { 100.0 * (promoters as f64 - detractors as f64) / n as f64 };
    let mut out = Nps { responses: n, promoters, passives, detractors, score, low: score, high: score };
    let half = z_for(confidence) * out.variance().sqrt();
    out.low = score - half;
    out.high = score + half;
    out
}

/// The change between two NPS values with its interval (independent samples).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NpsChange {
    /// second - first.
    pub change: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The change from `a` to `b`.
pub fn nps_change(a: &Nps, b: &Nps, confidence: f64) -> NpsChange {
    let d = b.score - a.score;
    let half = z_for(confidence) * (a.variance() + b.variance()).sqrt();
    NpsChange { change: d, low: d - half, high: d + half }
}

impl CustomerBase {
    /// NPS from interactions of `kind` (e.g. `nps`) whose outcome is the 0-10 score, dated
    /// in `[from, to)`, per group (`group_of`; `None` leaves a customer out). A customer's
    /// latest answer in the period counts.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the customer when an outcome is not a 0-10 score.
    pub fn nps_by(
        &self,
        kind: &str,
        from: NaiveDate,
        to: NaiveDate,
        confidence: f64,
        group_of: impl Fn(crate::CustomerIndex) -> Option<String>,
    ) -> Result<BTreeMap<String, Nps>> {
        let ix = self.interactions();
        let mut counts: BTreeMap<String, [u64; 3]> = BTreeMap::new();
        let Some(code) = ix.kind_code(kind) else { return Ok(BTreeMap::new()) };
        let (a, b) = (date_to_day(from), date_to_day(to));
        for c in 0..self.len() as u32 {
            let i = ix.of(c);
            let latest = (0..i.time.len()).rev().find(|&k| i.kind[k] == code && (a..b).contains(&day_of(i.time[k])));
            let Some(k) = latest else { continue };
            let text = if i.outcome[k] == crate::interaction::NO_OUTCOME {
                ""
            } else {
                ix.outcomes().get(i.outcome[k] as usize)
            };
            let score: u8 = text.parse().ok().filter(|s| *s <= 10).ok_or_else(|| Error::InvalidValue {
                row: c as usize,
                column: "outcome".into(),
                message: format!("customer `{}`: `{text}` is not a 0-10 score", self.ids().display(c as usize)),
            })?;
            if let Some(g) = group_of(c) {
                let e = counts.entry(g).or_default();
                e[match score {
                    9 | 10 => 0,
                    7 | 8 => 1,
                    _ => 2,
                }] += 1;
            }
        }
        Ok(counts.into_iter().map(|(g, [p, pa, d])| (g, finish(p, pa, d, confidence))).collect())
    }
}
