//! The profile of each group against the base: category shares and indices with the
//! two-proportion flag, numeric statistics, and the ranked distinguishing traits.

use super::chi_square::chi_square;
use super::numeric::Stats;
use super::*;
use crate::parallel::map_tasks;

impl CustomerBase {
    pub(super) fn profiles_of(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        names: Vec<String>,
        group: Vec<Option<u32>>,
        table: &AttributeTable,
        wallet: Option<&Wallet>,
    ) -> Result<Profiles> {
        let n = self.len();
        let g = names.len();
        let mut sizes = vec![0usize; g];
        group.iter().flatten().for_each(|&k| sizes[k as usize] += 1);
        let groups: Vec<ProfileGroup> = names
            .iter()
            .zip(&sizes)
            .map(|(name, &size)| ProfileGroup {
                group: name.clone(),
                customers: size,
                base_share: if n > 0 { size as f64 / n as f64 } else { 0.0 },
                below_min_size: size < config.min_group_size,
            })
            .collect();
        let mut notes = Vec::new();
        let small: Vec<String> =
            groups.iter().filter(|x| x.below_min_size).map(|x| format!("{} ({})", x.group, x.customers)).collect();
        if !small.is_empty() {
            notes.push(format!(
                "group(s) below {} customers, shown without significance: {}",
                config.min_group_size,
                small.join(", ")
            ));
        }
        if g == 1 {
            notes.push(format!("the grouping has one group only (`{}`)", names[0]));
        }

        // Categorical attributes.
        let mut rows = Vec::new();
        let mut chi_rows = Vec::new();
        for attr in &config.categorical {
            let col = table.get(attr).categorical(config.bands.get(attr).map(Vec::as_slice));
            let values = col.labels.len();
            let has_missing = col.codes.contains(&MISSING);
            match values {
                0 => notes.push(format!("attribute `{attr}` has no value: every customer lacks it")),
                1 => notes.push(format!("attribute `{attr}` has one value only (`{}`)", col.labels[0])),
                _ => {}
            }
            let width = values + has_missing as usize;
            let slot = |k: u32| if k == MISSING { values } else { k as usize };
            let mut counts = vec![0usize; g * width];
            let mut base = vec![0usize; width];
            for (c, &k) in col.codes.iter().enumerate() {
                base[slot(k)] += 1;
                if let Some(gr) = group[c] {
                    counts[gr as usize * width + slot(k)] += 1;
                }
            }
            for (gi, grp) in groups.iter().enumerate() {
                let t = chi_square(&counts[gi * width..(gi + 1) * width], &base, grp.customers, n);
                chi_rows.push(ChiSquareRow {
                    group: grp.group.clone(),
                    attribute: attr.clone(),
                    statistic: t.statistic,
                    df: t.df,
                    p_value: t.p_value,
                    low_expected: t.low_expected,
                    significant: !grp.below_min_size && t.df > 0 && t.p_value < config.alpha,
                });
                for v in 0..width {
                    let (count, base_count) = (counts[gi * width + v], base[v]);
                    let share = ratio(count, grp.customers);
                    let base_share = ratio(base_count, n);
                    let (rest_count, rest) = (base_count - count, n - grp.customers);
                    let (z, p_value) = if grp.customers > 0 && rest > 0 {
                        let d = compare_proportions(
                            rest_count as u64,
                            rest as u64,
                            count as u64,
                            grp.customers as u64,
                            0.95,
                        );
                        (d.z, d.p_value)
                    } else {
                        (0.0, 1.0)
                    };
                    rows.push(CategoryRow {
                        group: grp.group.clone(),
                        attribute: attr.clone(),
                        value: if v < values { col.labels[v].clone() } else { "(missing)".to_owned() },
                        count,
                        share,
                        base_count,
                        base_share,
                        index: if base_share > 0.0 { share / base_share * 100.0 } else { 0.0 },
                        z,
                        p_value,
                        significant: !grp.below_min_size && p_value < config.alpha,
                    });
                }
            }
        }

        // Numeric attributes: the columns first (the customer summary is computed once if
        // needed), then the statistics of the base and of the groups of every attribute as
        // tasks on all threads.
        let mut summary = None;
        let mut columns = Vec::with_capacity(config.numeric.len());
        for attr in &config.numeric {
            columns.push(self.numeric_column(as_of, config, attr, &mut summary, table, wallet)?);
        }
        let stats = map_tasks(2 * columns.len(), n, |t| {
            let values = &columns[t / 2];
            if t % 2 == 0 {
                let mut all: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
                vec![(all.len(), Stats::of(&mut all))]
            } else {
                group_stats(values, &group, g)
            }
        });
        let mut numeric_rows = Vec::with_capacity(g * columns.len());
        for (a, attr) in config.numeric.iter().enumerate() {
            let (base_count, base) = &stats[2 * a][0];
            if *base_count == 0 && n > 0 {
                notes.push(format!("numeric attribute `{attr}` has no value for any customer"));
            }
            for (grp, (count, s)) in groups.iter().zip(&stats[2 * a + 1]) {
                numeric_rows.push(NumericRow {
                    group: grp.group.clone(),
                    attribute: attr.clone(),
                    count: *count,
                    missing: grp.customers - count,
                    mean: s.mean,
                    q1: s.q1,
                    median: s.median,
                    q3: s.q3,
                    base_count: *base_count,
                    base_mean: base.mean,
                    base_q1: base.q1,
                    base_median: base.median,
                    base_q3: base.q3,
                });
            }
        }

        // Traits.
        let mut traits = Vec::new();
        for grp in &groups {
            let mut cands: Vec<(usize, &CategoryRow)> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.group == grp.group && r.significant && r.index > 100.0 && r.value != "(missing)")
                .collect();
            // Largest z first; ties by position (attribute order, then value).
            cands.sort_by(|a, b| b.1.z.total_cmp(&a.1.z).then(a.0.cmp(&b.0)));
            for (rank, (_, r)) in cands.into_iter().take(config.traits).enumerate() {
                traits.push(Trait {
                    group: grp.group.clone(),
                    rank: rank + 1,
                    attribute: r.attribute.clone(),
                    value: r.value.clone(),
                    index: r.index,
                    share: r.share,
                    base_share: r.base_share,
                    z: r.z,
                    text: format!(
                        "{}: {} {}, index {:.0}, {:.0} % vs {:.0} %",
                        grp.group,
                        r.attribute,
                        r.value,
                        r.index,
                        r.share * 100.0,
                        r.base_share * 100.0
                    ),
                });
            }
        }

        Ok(Profiles {
            as_of,
            config: config.clone(),
            base_customers: n,
            groups,
            group,
            categorical: rows,
            chi_square: chi_rows,
            numeric: numeric_rows,
            traits,
            notes,
        })
    }
}

/// Per group: the customers with a value and the statistics of their values (in customer
/// index order, bucketed by group).
fn group_stats(values: &[f64], group: &[Option<u32>], g: usize) -> Vec<(usize, Stats)> {
    let mut offsets = vec![0usize; g + 1];
    for (v, k) in values.iter().zip(group) {
        if let Some(k) = k
            && !v.is_nan()
        {
            offsets[*k as usize + 1] += 1;
        }
    }
    for k in 0..g {
        offsets[k + 1] += offsets[k];
    }
    let mut bucket = vec![0.0; offsets[g]];
    let mut at = offsets.clone();
    for (&v, k) in values.iter().zip(group) {
        if let Some(k) = k
            && !v.is_nan()
        {
            bucket[at[*k as usize]] = v;
            at[*k as usize] += 1;
        }
    }
    (0..g)
        .map(|k| {
            let slice = &mut bucket[offsets[k]..offsets[k + 1]];
            (slice.len(), Stats::of(slice))
        })
        .collect()
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
