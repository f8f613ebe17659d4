//! Synthetic data from the models' own stories, for checking fits (parameter recovery)
//! and planning: purchase rates and dropout drawn per customer, purchases simulated in
//! continuous time up to each customer's age T.

use super::{BetaGeo, ParetoNbd, RfmData};
use crate::sample::Rng;

fn beta_draw(rng: &mut Rng, a: f64, b: f64) -> f64 {
    let (x, y) = (rng.gamma(a, 1.0), rng.gamma(b, 1.0));
    x / (x + y)
}

impl BetaGeo {
    /// (x, t_x, T) of customers observed for the given ages, simulated from the model:
    /// λ ~ Gamma(r, 1/α), p ~ Beta(a, b), purchases at rate λ, dropout with probability p
    /// after each purchase.
    pub fn simulate(&self, ages: &[f64], seed: u64) -> RfmData {
        let mut rng = Rng::new(seed);
        let mut d = RfmData::default();
        for &t in ages {
            let lambda = rng.gamma(self.r, 1.0 / self.alpha);
            let p = beta_draw(&mut rng, self.a, self.b);
            let (mut now, mut x, mut last) = (0.0, 0.0, 0.0);
            loop {
                now += rng.exponential(1.0 / lambda);
                if now > t {
                    break;
                }
                x += 1.0;
                last = now;
                if rng.uniform() < p {
                    break;
                }
            }
            d.frequency.push(x);
            d.recency.push(last);
            d.t.push(t);
            d.weights.push(1.0);
        }
        d
    }
}

impl ParetoNbd {
    /// (x, t_x, T) simulated from the model: λ ~ Gamma(r, 1/α), lifetime exponential with
    /// rate μ ~ Gamma(s, 1/β).
    pub fn simulate(&self, ages: &[f64], seed: u64) -> RfmData {
        let mut rng = Rng::new(seed);
        let mut d = RfmData::default();
        for &t in ages {
            let lambda = rng.gamma(self.r, 1.0 / self.alpha);
            let mu = rng.gamma(self.s, 1.0 / self.beta);
            let end = rng.exponential(1.0 / mu).min(t);
            let (mut now, mut x, mut last) = (0.0, 0.0, 0.0);
            loop {
                now += rng.exponential(1.0 / lambda);
                if now > end {
                    break;
                }
                x += 1.0;
                last = now;
            }
            d.frequency.push(x);
            d.recency.push(last);
            d.t.push(t);
            d.weights.push(1.0);
        }
        d
    }
}

/// Holdout check: per calibration frequency (capped at `max_frequency`, the last bucket
/// holding the rest), customers, mean actual holdout purchases and mean predicted.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HoldoutRow {
    /// Calibration frequency (the last row: this or more).
    pub frequency: u32,
    /// Customers in the bucket.
    pub customers: u64,
    /// Mean actual purchases in the holdout period.
    pub actual: f64,
    /// Mean predicted purchases.
    pub predicted: f64,
}

/// The holdout comparison table of a model on a calibration / holdout split.
pub fn holdout_table(
    model: &dyn super::PurchaseModel,
    split: &super::CalibrationHoldout,
    max_frequency: u32,
) -> Vec<HoldoutRow> {
    let d = &split.calibration.data;
    let mut rows: Vec<HoldoutRow> =
        (0..=max_frequency).map(|f| HoldoutRow { frequency: f, customers: 0, actual: 0.0, predicted: 0.0 }).collect();
    for i in 0..d.len() {
        let k = (d.frequency[i] as u32).min(max_frequency) as usize;
        rows[k].customers += 1;
        rows[k].actual += split.frequency_holdout[i];
        rows[k].predicted += model.predict(split.duration_holdout, d.frequency[i], d.recency[i], d.t[i]);
    }
    for r in &mut rows {
        if r.customers > 0 {
            r.actual /= r.customers as f64;
            r.predicted /= r.customers as f64;
        }
    }
    rows
}
