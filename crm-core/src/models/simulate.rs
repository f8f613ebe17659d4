//! Synthetic data from the models' own stories, for checking fits (parameter recovery)
//! and planning: purchase rates and dropout drawn per customer, purchases simulated in
//! continuous time up to each customer's age T.

use super::{BetaGeo, BetaGeoBetaBinom, ModifiedBetaGeo, ParetoNbd, RfmData};
use crate::sample::Rng;

/// Simulated customers with their whole stories (lifetimes' `generate_data`): each
/// customer's purchase times, the rates drawn for them and whether they are still alive at
/// the end of their observation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimulatedCustomers {
    /// Customer `i`'s purchases are `times[offsets[i]..offsets[i + 1]]` (ascending).
    pub offsets: Vec<usize>,
    /// Repeat-purchase times since the first purchase (for BG/BB: the 0-based
    /// opportunities with a transaction).
    pub times: Vec<f64>,
    /// The purchase rate drawn per customer (λ; BG/BB: the transaction probability p).
    pub rate: Vec<f64>,
    /// The dropout parameter drawn per customer (BG/NBD, MBG/NBD: p; Pareto/NBD: μ;
    /// BG/BB: θ).
    pub dropout: Vec<f64>,
    /// Alive at the end of the observation.
    pub alive: Vec<bool>,
}

impl SimulatedCustomers {
    fn push(&mut self, rate: f64, dropout: f64, alive: bool) {
        self.rate.push(rate);
        self.dropout.push(dropout);
        self.alive.push(alive);
        self.offsets.push(self.times.len());
    }

    fn start(n: usize) -> Self {
        let mut s = SimulatedCustomers::default();
        s.offsets.reserve(n + 1);
        s.offsets.push(0);
        s
    }
}

/// The BG/NBD story (and MBG/NBD's, which may also drop out before the first repeat
/// purchase): purchases at rate λ until the age `t`, a dropout with probability p after
/// each purchase.
fn simulate_beta_geo(m: &BetaGeo, ages: &[f64], seed: u64, at_start: bool) -> SimulatedCustomers {
    let mut rng = Rng::new(seed);
    let mut out = SimulatedCustomers::start(ages.len());
    for &t in ages {
        let lambda = rng.gamma(m.r, 1.0 / m.alpha);
        let p = beta_draw(&mut rng, m.a, m.b);
        let mut alive = !(at_start && rng.uniform() < p);
        let mut now = 0.0;
        while alive {
            now += rng.exponential(1.0 / lambda);
            if now >= t {
                break;
            }
            out.times.push(now);
            alive = rng.uniform() >= p;
        }
        out.push(lambda, p, alive);
    }
    out
}

impl BetaGeo {
    /// Customers observed for the given ages, simulated with their purchase times (see
    /// [`SimulatedCustomers`]); the same `seed` gives the same customers.
    ///
    /// # Examples
    /// ```
    /// use crm_core::models::BetaGeo;
    /// let m = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    /// let s = m.simulate_customers(&[39.0; 1000], 7);
    /// assert_eq!(s, m.simulate_customers(&[39.0; 1000], 7));
    /// // Customer 0's repeat purchases, in weeks since the first.
    /// let first = &s.times[s.offsets[0]..s.offsets[1]];
    /// assert!(first.iter().all(|t| *t > 0.0 && *t < 39.0));
    /// ```
    pub fn simulate_customers(&self, ages: &[f64], seed: u64) -> SimulatedCustomers {
        simulate_beta_geo(self, ages, seed, false)
    }
}

impl ModifiedBetaGeo {
    /// As [`BetaGeo::simulate_customers`], with the MBG/NBD dropout at time 0 too.
    pub fn simulate_customers(&self, ages: &[f64], seed: u64) -> SimulatedCustomers {
        let m = BetaGeo { r: self.r, alpha: self.alpha, a: self.a, b: self.b };
        simulate_beta_geo(&m, ages, seed, true)
    }
}

impl ParetoNbd {
    /// Customers observed for the given ages, simulated with their purchase times:
    /// λ ~ Gamma(r, 1/α), an exponential lifetime with rate μ ~ Gamma(s, 1/β).
    pub fn simulate_customers(&self, ages: &[f64], seed: u64) -> SimulatedCustomers {
        let mut rng = Rng::new(seed);
        let mut out = SimulatedCustomers::start(ages.len());
        for &t in ages {
            let lambda = rng.gamma(self.r, 1.0 / self.alpha);
            let mu = rng.gamma(self.s, 1.0 / self.beta);
            let death = rng.exponential(1.0 / mu);
            let end = death.min(t);
            let mut now = 0.0;
            loop {
                now += rng.exponential(1.0 / lambda);
                if now >= end {
                    break;
                }
                out.times.push(now);
            }
            out.push(lambda, mu, death > t);
        }
        out
    }
}

impl BetaGeoBetaBinom {
    /// Customers with the given numbers of transaction opportunities, simulated: at each
    /// opportunity a customer first survives with probability 1 - θ, then transacts with
    /// probability p (p ~ Beta(α, β), θ ~ Beta(γ, δ)); `alive` is survival into the next
    /// opportunity. `times` are the 0-based opportunities with a transaction.
    pub fn simulate_customers(&self, opportunities: &[f64], seed: u64) -> SimulatedCustomers {
        let mut rng = Rng::new(seed);
        let mut out = SimulatedCustomers::start(opportunities.len());
        for &n in opportunities {
            let p = beta_draw(&mut rng, self.alpha, self.beta);
            let theta = beta_draw(&mut rng, self.gamma, self.delta);
            let mut alive = true;
            let mut k = 0.0;
            while k < n && alive {
                alive = rng.uniform() >= theta;
                if alive && rng.uniform() < p {
                    out.times.push(k);
                }
                k += 1.0;
            }
            if alive {
                alive = rng.uniform() >= theta;
            }
            out.push(p, theta, alive);
        }
        out
    }
}

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
