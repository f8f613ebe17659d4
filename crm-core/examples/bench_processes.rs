//! Benchmark of processes on generated data: a 5-step funnel and the due dialogs of three
//! processes (the two examples of the sources and a welcome follow-up).
//!
//! ```sh
//! cargo run --release -p crm-core --example bench_processes -- [customers] [campaign_gap_days] [runs]
//! ```
//!
//! With `runs` > 1 the timed part is repeated on the same base (for profiling and to see
//! the spread); each run's times are printed.
//!
//! The defaults (1,000,000 customers, a campaign contact every 20 to 40 days) give about
//! 20 million interactions, the shape of the goal in issue #4.

use crm_core::funnel::{EventMatch, Funnel, FunnelPeriod, FunnelStep};
use crm_core::process::{EvaluationConfig, Process, examples};
use crm_core::sample::{SampleConfig, generate};
use std::time::Instant;

const FOLLOW_UP: &str = r#"
id = "P:9"
name = "Welcome follow-up"
kind = "retain"
[[dialogs]]
id = "D:1"
name = "Call two weeks after the welcome letter unless the customer complained"
trigger = { type = "event", kind = "welcome_letter" }
timing = { type = "days_after", days = 14 }
channel = "phone"
conditions = [{ type = "no_event", kind = "complaint" }]
"#;

/// Campaign gap giving about 20 interactions per customer.
const CAMPAIGN_GAP_DAYS: u32 = 20;

fn main() -> Result<(), crm_core::Error> {
    let arg = |k: usize| std::env::args().nth(k).and_then(|a| a.parse().ok());
    let customers: usize = arg(1).unwrap_or(1_000_000);
    let campaign_gap_days = arg(2).map_or(CAMPAIGN_GAP_DAYS, |g: usize| g as u32);
    let data = generate(&SampleConfig { customers, purchases_per_year: 14.0, campaign_gap_days, ..Default::default() });
    let end = data.end;
    let (n_tx, n_ix) = (data.transactions.len(), data.interactions.len());
    let t = Instant::now();
    let base = data.into_base()?;
    println!(
        "{customers} customers, {n_tx} transactions, {n_ix} interactions; base built in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let interaction = |kind: &str, outcomes: &[&str]| EventMatch::Interaction {
        kind: kind.into(),
        outcomes: outcomes.iter().map(|o| (*o).to_owned()).collect(),
        channel: None,
    };
    let step = |name: &str, event: EventMatch, w: Option<u32>| FunnelStep { name: name.into(), event, window_days: w };
    let funnel = Funnel {
        name: "lead to loyal".into(),
        steps: vec![
            step("lead", interaction("lead", &[]), None),
            step("first purchase", EventMatch::Purchase { min_amount: None }, Some(180)),
            step("welcome letter", interaction("welcome_letter", &[]), Some(7)),
            step("answered a campaign", interaction("campaign", &["yes"]), Some(365)),
            step("bought again", EventMatch::Purchase { min_amount: None }, Some(90)),
        ],
    };
    let start = end - chrono::Months::new(36);
    let mut processes = examples();
    processes.push(Process::from_toml(FOLLOW_UP)?);
    let runs: usize = arg(3).unwrap_or(1).max(1);
    let mut times = Vec::new();
    let (mut f, mut due) = (None, None);
    for _ in 0..runs {
        let t = Instant::now();
        f = Some(base.funnel(&funnel, &FunnelPeriod::new(start, end, end))?);
        let t_funnel = t.elapsed().as_secs_f64();
        let t = Instant::now();
        due = Some(base.due_actions(&processes, end, &EvaluationConfig::default())?);
        times.push((t_funnel, t.elapsed().as_secs_f64()));
    }
    let (f, due) = (f.expect("one run at least"), due.expect("one run at least"));

    println!("funnel entered per step: {:?}", f.steps.iter().map(|s| s.entered).collect::<Vec<_>>());
    println!("due actions: {}, blocked: {}", due.due.len(), due.blocked.len());
    // Fingerprints of the full results, to check that a faster version gives the same.
    let fingerprint = |json: serde_json::Result<String>| {
        let mut h = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&json.expect("results serialize"), &mut h);
        std::hash::Hasher::finish(&h)
    };
    let (ff, fd) = (fingerprint(serde_json::to_string(&f)), fingerprint(serde_json::to_string(&due)));
    println!("fingerprints: funnel {ff:016x}, due actions {fd:016x}");
    println!("| step | seconds |\n|---|---|");
    for (t_funnel, t_due) in times {
        println!("| funnel, 5 steps | {t_funnel:.3} |");
        println!("| due actions, 3 processes | {t_due:.3} |");
        println!("| total | {:.3} |", t_funnel + t_due);
    }
    Ok(())
}
