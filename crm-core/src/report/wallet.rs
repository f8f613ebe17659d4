//! Share of wallet, growth potential and segment profiles in the report (deck 001,
//! slide 19: "kundandel och tillväxtpotential", "segmentering och kundprofiler"): the
//! wallet versus our spend per value segment, the biggest untapped wallets, and what the
//! top, middle and bottom customers look like against the whole base.

use super::html::x_grid;
use super::svg::{Anchor, Chart, Scale, esc, short};
use super::{Report, money_html as money, pct, words};
use crate::base::CustomerBase;
use crate::error::Result;
use crate::id::Key;
use crate::lifecycle::LifecycleStage;
use crate::profiles::{CategoryRow, NumericRow, ProfileConfig, ProfileGrouping, Trait};
use crate::segments::Segments;
use crate::segments::ValueSegment;
use crate::wallet::{
    GrowthEntry, SEGMENT_ROWS, TableSums, Wallet, WalletConfig, WalletCounts, WalletRow, WalletSource, no_spend_note,
    stage_rows,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Growth-potential customers listed in the report.
const WORK_LIST: usize = 10;

/// A profile value "stands out" in the HTML table when its index is this far from 100.
const STANDS_OUT: f64 = 20.0;

/// The wallet part of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletSection {
    /// Where wallets came from: the quantile used and the minimum peers.
    pub quantile: f64,
    /// Minimum peers of a group.
    pub min_peers: usize,
    /// Spend, wallet, growth potential and shares per value segment.
    pub by_segment: Vec<WalletRow>,
    /// The same per lifecycle stage.
    pub by_stage: Vec<WalletRow>,
    /// The biggest untapped wallets among active customers.
    pub work_list: Vec<WorkListEntry>,
    /// Customers per wallet source, attribute problems, customers over their wallet.
    pub counts: WalletCounts,
    /// What to know in words (attribute problems, thin peer groups).
    pub notes: Vec<String>,
}

/// One of the biggest untapped wallets in the report, by the customer's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkListEntry {
    /// External id.
    pub id: String,
    /// Yearly spend with us.
    pub spend: f64,
    /// Wallet.
    pub wallet: f64,
    /// Share of wallet.
    pub share: f64,
    /// Growth potential.
    pub growth_potential: f64,
    /// Where the wallet came from.
    pub source: WalletSource,
}

impl From<&GrowthEntry> for WorkListEntry {
    fn from(g: &GrowthEntry) -> Self {
        WorkListEntry {
            id: g.id.clone(),
            spend: g.spend,
            wallet: g.wallet,
            share: g.share,
            growth_potential: g.growth_potential,
            source: g.source,
        }
    }
}

/// The wallet section's sums over some customers: they add up over any split of the base
/// whose customers' wallets come from the same figures (one machine: the whole base; a
/// cluster: the whole base's quantile, see [`crate::distributed::ReportContext`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct WalletSums {
    by_segment: TableSums,
    by_stage: TableSums,
    /// The biggest growth potentials, best first, with their order key (potential
    /// descending, then id).
    work: Vec<(f64, Key, WorkListEntry)>,
    by_source: [usize; 6],
    problems: [usize; 3],
    over_wallet: usize,
    /// Customers without a wallet.
    none: usize,
    /// The notes that do not count customers (the same in every split).
    notes: Vec<String>,
}

impl WalletSums {
    /// The sums of a base's wallets, with the segments and stages they were taken with.
    pub(crate) fn of(
        base: &CustomerBase,
        w: &Wallet,
        segments: &[Option<ValueSegment>],
        stages: &[LifecycleStage],
    ) -> Self {
        let (by_segment, by_stage) = w.segment_stage_sums(Some(segments), Some(stages));
        let none = w.counts.by_source[WalletSource::None as usize];
        let mut notes = w.notes.clone();
        notes.retain(|n| *n != no_spend_note(none));
        // The engine's list breaks ties by customer index; the report's by id, so that
        // every split of the base gives the same list: the ties at the cut come along.
        let cut = w.work_list.get(WORK_LIST.saturating_sub(1)).map(|g| g.growth_potential);
        let mut work: Vec<_> = w
            .work_list
            .iter()
            .take_while(|g| cut.is_none_or(|c| g.growth_potential >= c))
            .map(|g| (g.growth_potential, base.id(g.customer), WorkListEntry::from(g)))
            .collect();
        sort_work(&mut work);
        WalletSums {
            by_segment: by_segment.expect("segments given"),
            by_stage: by_stage.expect("stages given"),
            work,
            by_source: w.counts.by_source,
            problems: w.counts.problems,
            over_wallet: w.counts.over_wallet,
            none,
            notes,
        }
    }

    /// The sums over no customers.
    pub(crate) fn empty() -> Self {
        WalletSums {
            by_segment: TableSums::empty(&SEGMENT_ROWS),
            by_stage: TableSums::empty(&stage_rows()),
            work: Vec::new(),
            by_source: [0; 6],
            problems: [0; 3],
            over_wallet: 0,
            none: 0,
            notes: Vec::new(),
        }
    }

    /// Adds another split's sums.
    pub(crate) fn merge(&mut self, o: &WalletSums) {
        self.by_segment.merge(&o.by_segment);
        self.by_stage.merge(&o.by_stage);
        self.work.extend(o.work.iter().cloned());
        sort_work(&mut self.work);
        self.by_source.iter_mut().zip(o.by_source).for_each(|(a, b)| *a += b);
        self.problems.iter_mut().zip(o.problems).for_each(|(a, b)| *a += b);
        self.over_wallet += o.over_wallet;
        self.none += o.none;
        if self.notes.is_empty() {
            self.notes.clone_from(&o.notes);
        }
    }

    /// The section, with the whole base's peers.
    pub(crate) fn finish(self, config: &WalletConfig, peers: usize) -> WalletSection {
        let mut notes = self.notes;
        if peers == 0 && self.none > 0 {
            notes.push(no_spend_note(self.none));
        }
        WalletSection {
            quantile: config.quantile,
            min_peers: config.min_peers,
            by_segment: self.by_segment.finish(),
            by_stage: self.by_stage.finish(),
            work_list: self.work.into_iter().map(|w| w.2).collect(),
            counts: WalletCounts {
                by_source: self.by_source,
                problems: self.problems,
                over_wallet: self.over_wallet,
                peers,
            },
            notes,
        }
    }
}

/// The work list's order: growth potential descending, then id; the first [`WORK_LIST`].
fn sort_work(work: &mut Vec<(f64, Key, WorkListEntry)>) {
    work.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    work.truncate(WORK_LIST);
}

/// The profiles of the value segments against the whole base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileSection {
    /// Customers in the base.
    pub base_customers: usize,
    /// Per segment, attribute and value: shares, index and significance.
    pub categorical: Vec<CategoryRow>,
    /// Per segment and numeric attribute: mean and quartiles against the base's.
    pub numeric: Vec<NumericRow>,
    /// The distinguishing traits per segment, ranked, in words.
    pub traits: Vec<Trait>,
    /// What to know in words (small groups, attributes with one value).
    pub notes: Vec<String>,
}

impl CustomerBase {
    /// The wallet and profile sections, reusing the report's segments and stages. Profiles
    /// need a customer table (attributes); without one they are left out.
    pub(super) fn wallet_sections(
        &self,
        as_of: NaiveDate,
        wallet: &WalletConfig,
        profiles: &ProfileConfig,
        segments: &Segments,
        stages: &[LifecycleStage],
    ) -> Result<(WalletSection, Option<ProfileSection>)> {
        let w = self.wallet_with(as_of, wallet, Some(&segments.segment), Some(stages))?;
        let profile = match self.profiles() {
            None => None,
            Some(_) => {
                let cfg = ProfileConfig { by: ProfileGrouping::Segment, wallet: wallet.clone(), ..profiles.clone() };
                let p = self.segment_profiles_with(as_of, &cfg, Some(segments), Some(&w))?;
                Some(ProfileSection {
                    base_customers: p.base_customers,
                    categorical: p.categorical,
                    numeric: p.numeric,
                    traits: p.traits,
                    notes: p.notes,
                })
            }
        };
        let section = WalletSums::of(self, &w, &segments.segment, stages).finish(wallet, w.counts.peers);
        Ok((section, profile))
    }
}

fn sources(c: &WalletCounts) -> String {
    let names = [
        "the customer's own figure",
        "its peer group",
        "a coarser peer group",
        "the whole base",
        "no wallet",
        "the quantile regression",
    ];
    let parts: Vec<String> = [
        WalletSource::Attribute,
        WalletSource::Regression,
        WalletSource::Group,
        WalletSource::CoarserGroup,
        WalletSource::Base,
    ]
    .iter()
    .filter(|s| c.by_source[**s as usize] > 0)
    .map(|s| format!("{} from {}", c.by_source[*s as usize], names[*s as usize]))
    .collect();
    parts.join(", ")
}

impl Report {
    /// The wallet section in Markdown.
    pub(super) fn markdown_wallet(&self, out: &mut String) {
        let Some(w) = &self.wallet else { return };
        let _ = writeln!(
            out,
            "\n## Share of wallet and growth potential\n\nWallet = what a customer spends on the category in a year, with us and with others: \
             its own figure where given, else the {:.0} % quantile of yearly spend among at least {} peers of its group. \
             Wallets: {}.\n",
            w.quantile * 100.0,
            w.min_peers,
            sources(&w.counts)
        );
        out.push_str("| value segment | customers | spend (yearly) | wallet | growth potential | share of wallet |\n|---|---:|---:|---:|---:|---:|\n");
        for r in &w.by_segment {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                words(&r.group),
                r.customers,
                super::money(r.spend),
                super::money(r.wallet),
                super::money(r.growth_potential),
                pct(r.share)
            );
        }
        for n in &w.notes {
            let _ = writeln!(out, "\n_{n}_");
        }
        if let Some(p) = &self.profiles {
            out.push_str("\n## Segment profiles\n\n");
            for t in &p.traits {
                let _ = writeln!(out, "- {}", t.text);
            }
            if p.traits.is_empty() {
                out.push_str("No value of an attribute is significantly over-represented in a segment.\n");
            }
        }
    }

    /// The wallet and profile sections in HTML.
    pub(super) fn html_wallet(&self, out: &mut String) {
        let Some(w) = &self.wallet else { return };
        out.push_str("<section id=\"wallet\"><h2>Share of wallet and growth potential</h2>\n");
        let _ = writeln!(
            out,
            r#"<p class="basis">Spend with us over the last year against the wallet (what the customer spends on the category in a year, with us and with others): its own figure where given, else the {:.0} % quantile of yearly spend among at least {} peers of its group. Wallets: {}.</p>"#,
            w.quantile * 100.0,
            w.min_peers,
            esc(&sources(&w.counts))
        );
        out.push_str(&wallet_chart(&w.by_segment));
        out.push_str("<table><tr><th>value segment</th><th class=\"n\">customers</th><th class=\"n\">spend (yearly)</th><th class=\"n\">wallet</th><th class=\"n\">growth potential</th><th class=\"n\">share of wallet</th><th class=\"n\">mean share</th><th class=\"n\">over their wallet</th></tr>\n");
        for r in &w.by_segment {
            let _ = writeln!(
                out,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&words(&r.group)),
                r.customers,
                money(r.spend),
                money(r.wallet),
                money(r.growth_potential),
                pct(r.share),
                pct(r.mean_share),
                r.over_wallet
            );
        }
        out.push_str("</table>\n");
        let over: usize = w.by_segment.iter().map(|r| r.over_wallet).sum();
        if over > 0 {
            let _ = writeln!(
                out,
                r#"<p class="note thin"><b>Read with care:</b> {over} customers already spend more with us than their estimated wallet (share capped at 100 %): for them the estimate is too low, and a group's share counts their spend up to their wallet.</p>"#
            );
        }
        if !w.work_list.is_empty() {
            out.push_str("<h3>The biggest untapped wallets (active customers)</h3>\n<table><tr><th>customer</th><th class=\"n\">spend</th><th class=\"n\">wallet</th><th class=\"n\">share</th><th class=\"n\">growth potential</th><th>wallet from</th></tr>\n");
            for g in &w.work_list {
                let _ = writeln!(
                    out,
                    r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
                    esc(&g.id),
                    money(g.spend),
                    money(g.wallet),
                    pct(g.share),
                    money(g.growth_potential),
                    esc(&words(g.source.name()))
                );
            }
            out.push_str("</table>\n");
        }
        for n in &w.notes {
            let _ = writeln!(out, r#"<p class="note thin">{}</p>"#, esc(n));
        }
        out.push_str("</section>\n");
        let Some(p) = &self.profiles else { return };
        out.push_str("<section id=\"profiles\"><h2>What the value segments look like</h2>\n");
        let _ = writeln!(
            out,
            r#"<p class="basis">Each segment against all {} customers: the share of each value in the segment and in the base, and the index (segment share / base share x 100). Bold: significant (two-proportion test); small segments are not flagged.</p>"#,
            p.base_customers
        );
        if p.traits.is_empty() {
            out.push_str("<p>No value of an attribute is significantly over-represented in a segment.</p>\n");
        } else {
            out.push_str("<ul>\n");
            for t in &p.traits {
                let _ = writeln!(out, "<li>{}</li>", esc(&t.text));
            }
            out.push_str("</ul>\n");
        }
        // The rows that stand out; every row is in the JSON.
        let shown: Vec<&CategoryRow> =
            p.categorical.iter().filter(|r| r.significant || (r.index - 100.0).abs() >= STANDS_OUT).take(40).collect();
        let _ = writeln!(
            out,
            r#"<p class="basis">{} of {} values shown: the significant ones and those with an index below {:.0} or above {:.0}.</p>"#,
            shown.len(),
            p.categorical.len(),
            100.0 - STANDS_OUT,
            100.0 + STANDS_OUT
        );
        out.push_str("<table><tr><th>segment</th><th>attribute</th><th>value</th><th class=\"n\">share in segment</th><th class=\"n\">share in base</th><th class=\"n\">index</th></tr>\n");
        for r in shown {
            let (b0, b1) = if r.significant { ("<b>", "</b>") } else { ("", "") };
            let _ = writeln!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{b0}{:.0}{b1}</td></tr>"#,
                esc(&words(&r.group)),
                esc(&words(&r.attribute)),
                esc(&r.value),
                pct(r.share),
                pct(r.base_share),
                r.index
            );
        }
        out.push_str("</table>\n");
        if !p.numeric.is_empty() {
            out.push_str("<table><tr><th>segment</th><th>measure</th><th class=\"n\">mean</th><th class=\"n\">median</th><th class=\"n\">quartiles</th><th class=\"n\">base mean</th><th class=\"n\">base median</th></tr>\n");
            for r in &p.numeric {
                let _ = writeln!(
                    out,
                    r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{} - {}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                    esc(&words(&r.group)),
                    esc(&words(&r.attribute)),
                    short(r.mean),
                    short(r.median),
                    short(r.q1),
                    short(r.q3),
                    short(r.base_mean),
                    short(r.base_median)
                );
            }
            out.push_str("</table>\n");
        }
        for n in &p.notes {
            let _ = writeln!(out, r#"<p class="note thin">{}</p>"#, esc(n));
        }
        out.push_str("</section>\n");
    }
}

/// Spend against wallet per value segment: two bars per segment.
fn wallet_chart(rows: &[WalletRow]) -> String {
    let (width, row_h, left) = (760.0, 46.0, 120.0);
    let top = 48.0;
    let height = top + rows.len() as f64 * row_h + 40.0;
    let label = "Yearly spend with us against the wallet, per value segment";
    let mut c = Chart::new("wallet", label, width, height);
    c.text(left, 20.0, Anchor::Start, "title", label);
    c.legend(left, 30.0, "#2b6cb0", "spend with us");
    c.legend(left + 130.0, 30.0, "#a0aec0", "wallet");
    let max = rows.iter().map(|r| r.wallet.max(r.spend)).fold(0.0, f64::max).max(1e-9);
    let x = Scale::new(0.0, max, left, width - 140.0);
    let bottom = top + rows.len() as f64 * row_h;
    x_grid(&mut c, x, max, top, bottom);
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let name = words(&r.group);
        c.text(left - 8.0, y + 22.0, Anchor::End, "", &name);
        let spend = r.spend.max(0.0);
        c.rect(left, y + 4.0, x.at(spend) - left, 16.0, "#2b6cb0", &format!("{name}: spend {}", short(spend)));
        c.text(x.at(spend) + 6.0, y + 16.0, Anchor::Start, "value", &format!("{} ({})", short(spend), pct(r.share)));
        c.rect(left, y + 22.0, x.at(r.wallet) - left, 16.0, "#a0aec0", &format!("{name}: wallet {}", short(r.wallet)));
        c.text(x.at(r.wallet) + 6.0, y + 34.0, Anchor::Start, "value", &short(r.wallet));
    }
    c.text((left + width - 140.0) / 2.0, bottom + 32.0, Anchor::Middle, "axis", "per year");
    c.finish()
}
