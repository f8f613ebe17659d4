//! A deterministic generator of realistic customer bases, for examples, tests and
//! benchmarks. The same config (seed included) gives the same data, bit for bit.
//!
//! Each customer is acquired on a random day through a channel; some stay prospects,
//! some buy once (starters), the rest buy repeatedly at a customer-specific rate for a
//! random lifetime (some slowing down: declining), and some lost customers are won back.
//! Amounts are log-normal with a customer-specific level; a few purchases are refunded.
//! Interactions (welcome letters, campaigns, service calls, complaints) carry costs to
//! serve.

use crate::customer::{AttributeValue, Channel, Customer, Permission};
use crate::id::{KeyColumn, StrColumn};
use crate::interaction::{Direction, InteractionColumns};
use crate::time::{SECONDS_PER_DAY, date_to_day, day_to_date};
use crate::transaction::TransactionColumns;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SampleConfig {
    /// Random seed.
    pub seed: u64,
    /// Number of customers (prospects included).
    pub customers: usize,
    /// First day of the history.
    pub start: NaiveDate,
    /// Length of the history in days (customers are acquired all along it).
    pub days: u32,
    /// Mean purchases per year of a repeat buyer.
    pub purchases_per_year: f64,
    /// Mean lifetime of a repeat buyer in years.
    pub lifetime_years: f64,
    /// Share of prospects (never buy).
    pub prospect_share: f64,
    /// Share of starters (buy once).
    pub starter_share: f64,
    /// Generate the customer table (names, permissions, attributes).
    pub profiles: bool,
    /// Generate interactions.
    pub interactions: bool,
    /// Shortest gap in days between two campaign contacts of a customer; gaps are
    /// uniform in `[g, 2g)`. Default 60. Smaller gaps give more interactions per customer
    /// (about 20 per customer at 17 days with the benchmark's 14 purchases a year).
    pub campaign_gap_days: u32,
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig {
            seed: 42,
            customers: 5_000,
            start: NaiveDate::from_ymd_opt(2022, 1, 1).expect("valid date"),
            days: 3 * 365 + 1,
            purchases_per_year: 5.0,
            lifetime_years: 2.5,
            prospect_share: 0.08,
            starter_share: 0.3,
            profiles: true,
            interactions: true,
            campaign_gap_days: 60,
        }
    }
}

/// Most customers a sample may have (checked before anything is allocated).
pub const MAX_CUSTOMERS: usize = 100_000_000;

impl SampleConfig {
    /// Checks the config: `customers` in 0..=[`MAX_CUSTOMERS`], `days` and
    /// `campaign_gap_days` in 1..=[`crate::time::MAX_DAYS`], positive finite rates, shares
    /// in [0, 1], and a history that ends within the supported dates.
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> crate::Result<()> {
        use crate::Error;
        if self.customers > MAX_CUSTOMERS {
            return Err(Error::config("customers", format!("{} is above {MAX_CUSTOMERS}", self.customers)));
        }
        crate::time::check_days("days", self.days, 1)?;
        crate::time::check_days("campaign_gap_days", self.campaign_gap_days, 1)?;
        for (field, v) in [("purchases_per_year", self.purchases_per_year), ("lifetime_years", self.lifetime_years)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::config(field, format!("{v} is not a positive number")));
            }
        }
        for (field, v) in [("prospect_share", self.prospect_share), ("starter_share", self.starter_share)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::config(field, format!("{v} is not in [0, 1]")));
            }
        }
        let end = date_to_day(self.start) as i64 + self.days as i64;
        crate::time::check_date(0, "start", self.start)
            .and_then(|_| crate::time::check_date(0, "start", day_to_date(end as i32)))
            .map_err(|_| {
                Error::config("start", format!("{} + {} days leaves the years 1000..=9999", self.start, self.days))
            })
    }
}

/// Generated data: a customer table (when asked), transactions and interactions.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleData {
    /// The customer table (empty unless `profiles`).
    pub customers: Vec<Customer>,
    /// Transactions.
    pub transactions: TransactionColumns,
    /// Interactions (empty unless `interactions`).
    pub interactions: InteractionColumns,
    /// The last day of the history (a natural as-of date).
    pub end: NaiveDate,
}

impl SampleData {
    /// Builds a base from the data.
    ///
    /// # Errors
    /// None in practice (the generator makes valid data); see
    /// [`crate::CustomerBaseBuilder::build`].
    pub fn into_base(self) -> crate::Result<crate::CustomerBase> {
        let mut b = crate::CustomerBase::builder();
        if !self.customers.is_empty() {
            b.add_customers(self.customers);
        }
        b.add_transactions(self.transactions)?;
        b.add_interactions(self.interactions)?;
        b.build()
    }
}

/// SplitMix64: small, fast and good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    /// Gamma(shape, scale) by Marsaglia and Tsang.
    pub fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0, scale) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v * scale;
            }
        }
    }
}

const CHANNELS: [(&str, f64, f64); 5] = [
    ("web", 0.35, 40.0),
    ("retail", 0.25, 25.0),
    ("field", 0.15, 400.0),
    ("event", 0.15, 150.0),
    ("agent", 0.10, 250.0),
];
const INDUSTRIES: [&str; 6] = ["manufacturing", "retail", "logistics", "construction", "services", "public"];

/// Generates a customer base.
///
/// ```
/// use crm_core::sample::{generate, SampleConfig};
/// let a = generate(&SampleConfig { customers: 200, ..Default::default() });
/// let b = generate(&SampleConfig { customers: 200, ..Default::default() });
/// assert_eq!(a, b);
/// assert!(a.transactions.len() > 500);
/// ```
pub fn generate(cfg: &SampleConfig) -> SampleData {
    let mut rng = Rng::new(cfg.seed);
    let gap = cfg.campaign_gap_days.max(1) as i32;
    let start = date_to_day(cfg.start);
    let days = cfg.days.max(2) as i32;
    let end = start + days - 1;
    let expected = (cfg.customers as f64 * cfg.purchases_per_year * cfg.lifetime_years * 0.7) as usize;
    let mut tx_ids = Vec::with_capacity(expected);
    let (mut time, mut amount, mut margin) =
        (Vec::with_capacity(expected), Vec::with_capacity(expected), Vec::with_capacity(expected));
    let mut ix = InteractionColumns { outcome: Some(StrColumn::new()), cost: Some(Vec::new()), ..Default::default() };
    let mut ix_ids = Vec::new();
    let mut customers = Vec::new();
    let day_secs = |d: i32, rng: &mut Rng| d as i64 * SECONDS_PER_DAY + 8 * 3600 + rng.below(10 * 3600) as i64;

    for k in 0..cfg.customers {
        let id = k as i64 + 1;
        let acquired = start + rng.below(days as u64) as i32;
        let ch = pick_channel(&mut rng);
        let kind = rng.uniform();
        let level = 5.5 + 0.6 * rng.normal(); // log of the typical purchase
        let margin_rate = 0.2 + 0.25 * rng.uniform();
        let mut buy = |d: i32, rng: &mut Rng, scale: f64| {
            let a = ((level + 0.4 * rng.normal()).exp() * scale).round();
            let t = day_secs(d, rng);
            tx_ids.push(id);
            time.push(t);
            amount.push(a);
            margin.push((a * margin_rate).round());
            if rng.uniform() < 0.02 {
                let r = -(a * (0.3 + 0.7 * rng.uniform())).round();
                tx_ids.push(id);
                time.push(t + 3 * SECONDS_PER_DAY);
                amount.push(r);
                margin.push((r * margin_rate).round());
            }
        };
        let mut purchase_days = Vec::new();
        if kind < cfg.prospect_share {
            // a prospect: interactions only
        } else if kind < cfg.prospect_share + cfg.starter_share {
            purchase_days.push(acquired);
        } else {
            let rate = rng.gamma(2.0, cfg.purchases_per_year / 2.0) / 365.25;
            let declining = rng.uniform() < 0.15;
            let mut life = rng.exponential(cfg.lifetime_years * 365.25) as i32 + 30;
            let mut from = acquired;
            let mut d = acquired as f64;
            loop {
                let half = from + life / 2;
                while (d as i32) < (from + life).min(end + 1) {
                    purchase_days.push(d as i32);
                    let r = if declining && d as i32 > half { rate / 3.0 } else { rate };
                    d += rng.exponential(1.0 / r).max(1.0);
                }
                // Some lost customers are won back after a long gap.
                if rng.uniform() < 0.12 {
                    from = from + life + 365 + rng.below(300) as i32;
                    life = rng.exponential(cfg.lifetime_years * 365.25) as i32 + 30;
                    d = from as f64;
                    if from > end {
                        break;
                    }
                } else {
                    break;
                }
            }
        }
        for &d in &purchase_days {
            buy(d, &mut rng, 1.0);
        }
        if cfg.interactions {
            let mut touch =
                |d: i32, ch: Channel, dir: Direction, kind: &str, outcome: &str, cost: f64, rng: &mut Rng| {
                    if d <= end {
                        ix_ids.push(id);
                        ix.timestamp.push(day_secs(d, rng));
                        ix.channel.push(ch);
                        ix.direction.push(dir);
                        ix.kind.push(kind);
                        ix.outcome.as_mut().expect("set").push(outcome);
                        ix.cost.as_mut().expect("set").push(cost);
                    }
                };
            touch(acquired, Channel::Web, Direction::Inbound, "lead", "", 0.0, &mut rng);
            if let Some(&first) = purchase_days.first() {
                touch(first + 1, Channel::Letter, Direction::Outbound, "welcome_letter", "", 12.0, &mut rng);
            }
            let mut d = acquired + rng.below(90) as i32;
            while d <= end {
                let responded = if rng.uniform() < 0.15 { "yes" } else { "no" };
                touch(d, Channel::Email, Direction::Outbound, "campaign", responded, 1.5, &mut rng);
                d += gap + rng.below(gap as u64) as i32;
            }
            for &p in &purchase_days {
                if rng.uniform() < 0.08 {
                    let complaint = rng.uniform() < 0.3;
                    let kind = if complaint { "complaint" } else { "service_call" };
                    touch(p + 5, Channel::CallCentre, Direction::Inbound, kind, "resolved", 35.0, &mut rng);
                }
            }
        }
        if cfg.profiles {
            customers.push(profile(id, acquired, ch, &mut rng));
        }
    }
    let n_ix = ix_ids.len();
    ix.customer = KeyColumn::Int(ix_ids);
    debug_assert_eq!(ix.timestamp.len(), n_ix);
    SampleData {
        customers,
        transactions: TransactionColumns {
            customer: KeyColumn::Int(tx_ids),
            timestamp: time,
            amount,
            margin: Some(margin),
            ..Default::default()
        },
        interactions: ix,
        end: day_to_date(end),
    }
}

fn pick_channel(rng: &mut Rng) -> usize {
    let mut u = rng.uniform();
    for (i, c) in CHANNELS.iter().enumerate() {
        if u < c.1 {
            return i;
        }
        u -= c.1;
    }
    CHANNELS.len() - 1
}

fn profile(id: i64, acquired: i32, ch: usize, rng: &mut Rng) -> Customer {
    let mut c = Customer::new(id);
    c.name = Some(format!("Customer {id:06}"));
    c.email = Some(format!("customer{id}@example.com"));
    c.industry = Some(INDUSTRIES[rng.below(INDUSTRIES.len() as u64) as usize].to_owned());
    c.category = Some(if rng.uniform() < 0.3 { "business" } else { "consumer" }.to_owned());
    c.acquisition_date = Some(day_to_date(acquired));
    c.acquisition_channel = Some(CHANNELS[ch].0.to_owned());
    c.acquisition_cost = Some((CHANNELS[ch].2 * (0.5 + rng.uniform())).round());
    for (channel, p) in [(Channel::Email, 0.7), (Channel::Letter, 0.9), (Channel::Phone, 0.5)] {
        c.permissions.push(Permission { channel, granted: rng.uniform() < p, date: Some(day_to_date(acquired)) });
    }
    if rng.uniform() < 0.2 {
        let lease_end = day_to_date(acquired + 365 + rng.below(3 * 365) as i32);
        c.attributes.insert("lease_end".into(), AttributeValue::Date(lease_end));
    }
    c.attributes.insert("employees".into(), AttributeValue::Number((rng.exponential(50.0) + 1.0).round()));
    c
}
