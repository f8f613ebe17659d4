//! Peer groups: each level of attributes numbered into dense group codes and labelled.

use crate::attribute_columns::{AttributeTable, Categorical, MISSING};
use crate::error::{Error, Result};
use crate::parallel::fill;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One level's groups: the group of each customer (or [`MISSING`]) and their keys.
pub(super) struct Level {
    pub(super) group: Vec<u32>,
    pub(super) keys: Vec<String>,
}

/// Numbers the distinct keys (ascending) and gives each customer its group.
fn number_keys(keys: &[u64], radix_total: u64) -> (Vec<u64>, Vec<u32>) {
    const NONE: u64 = u64::MAX;
    let distinct: Vec<u64> = if radix_total <= 1 << 22 {
        let mut seen = vec![false; radix_total as usize];
        keys.iter().filter(|&&k| k != NONE).for_each(|&k| seen[k as usize] = true);
        (0..radix_total).filter(|&k| seen[k as usize]).collect()
    } else {
        let mut d: Vec<u64> = keys.iter().copied().filter(|&k| k != NONE).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let dense = radix_total <= 1 << 22;
    let lookup: Vec<u32> = if dense {
        let mut l = vec![MISSING; radix_total as usize];
        distinct.iter().enumerate().for_each(|(i, &k)| l[k as usize] = i as u32);
        l
    } else {
        Vec::new()
    };
    let mut group = vec![MISSING; keys.len()];
    fill(&mut group, |first, piece| {
        for (g, &k) in piece.iter_mut().zip(&keys[first..]) {
            *g = if k == NONE {
                MISSING
            } else if dense {
                lookup[k as usize]
            } else {
                distinct.binary_search(&k).expect("distinct key") as u32
            };
        }
    });
    (distinct, group)
}

/// The groups of a level of attributes.
pub(crate) fn level_groups(names: &[String], columns: &[&Categorical]) -> Result<(Vec<u32>, Vec<String>)> {
    let radices: Vec<u64> = columns.iter().map(|c| c.labels.len().max(1) as u64).collect();
    let total = radices
        .iter()
        .try_fold(1u64, |acc, &r| acc.checked_mul(r))
        .filter(|&t| t < u64::MAX / 2)
        .ok_or_else(|| Error::config("levels", format!("{names:?} has too many combinations")))?;
    let n = columns.first().map_or(0, |c| c.codes.len());
    let mut keys = vec![0u64; n];
    fill(&mut keys, |first, piece| {
        for (k, key) in piece.iter_mut().enumerate() {
            let c = first + k;
            let mut acc = 0u64;
            for (col, &r) in columns.iter().zip(&radices) {
                let code = col.codes[c];
                if code == MISSING {
                    acc = u64::MAX;
                    break;
                }
                acc = acc * r + code as u64;
            }
            *key = acc;
        }
    });
    let (distinct, group) = number_keys(&keys, total);
    let labels = distinct
        .iter()
        .map(|&key| {
            let mut rest = key;
            let mut parts = vec![String::new(); columns.len()];
            for (i, (col, &r)) in columns.iter().zip(&radices).enumerate().rev() {
                parts[i] = format!("{}={}", names[i], col.labels[(rest % r) as usize]);
                rest /= r;
            }
            parts.join(", ")
        })
        .collect();
    Ok((group, labels))
}

/// The categorical columns of the levels' attributes (numeric ones cut into their bands),
/// each once.
pub(crate) fn columns_of<'t>(
    table: &'t AttributeTable,
    names: impl Iterator<Item = &'t String>,
    bands: &BTreeMap<String, Vec<f64>>,
) -> BTreeMap<&'t str, Cow<'t, Categorical>> {
    names.map(|a| (a.as_str(), table.get(a).categorical(bands.get(a).map(Vec::as_slice)))).collect()
}
