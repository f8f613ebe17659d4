//! Customer attributes as columns, for the wallet estimate and segment profiles: a
//! categorical attribute becomes dense codes into its sorted distinct values, a numeric one
//! a column of numbers (NaN where missing). Built on all threads; the codes do not depend
//! on the thread count or on the row order (values are numbered in sorted order).

use crate::base::CustomerBase;
use crate::customer::{AttributeValue, Customer};
use crate::parallel::map_pieces;
use std::borrow::Cow;
use std::collections::HashMap;

/// The code of a missing value in a [`Categorical`] column.
pub(crate) const MISSING: u32 = u32::MAX;

/// A categorical attribute: per customer a code into `labels` (sorted ascending; bands in
/// ascending order), or [`MISSING`].
#[derive(Debug, Clone)]
pub(crate) struct Categorical {
    pub labels: Vec<String>,
    pub codes: Vec<u32>,
}

/// The label of a number in bands with ascending cut points `cuts`: `<c0`, `c0-<c1`, ...,
/// `>=cn`.
pub(crate) fn band_label(x: f64, cuts: &[f64]) -> String {
    let k = cuts.partition_point(|&c| c <= x);
    let f = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
    };
    if cuts.is_empty() {
        "all".to_owned()
    } else if k == 0 {
        format!("<{}", f(cuts[0]))
    } else if k == cuts.len() {
        format!(">={}", f(cuts[k - 1]))
    } else {
        format!("{}-<{}", f(cuts[k - 1]), f(cuts[k]))
    }
}

/// The labels of the bands of `cuts`, in ascending order.
fn band_labels(cuts: &[f64]) -> Vec<String> {
    (0..=cuts.len()).map(|k| band_label(if k == 0 { f64::NEG_INFINITY } else { cuts[k - 1] }, cuts)).collect()
}

/// Text of a number as in [`crate::scoring::attribute_text`] (no trailing `.0`).
fn number_text(x: f64) -> String {
    x.to_string()
}

/// The value of a categorical attribute of a customer: a built-in text field (`industry`,
/// `category`, `acquisition_channel`, `name`), or a free attribute (numbers in `bands`
/// when given, else as text; booleans `true` / `false`; dates ISO).
pub(crate) fn category_of<'a>(c: &'a Customer, attribute: &str, bands: Option<&[f64]>) -> Option<Cow<'a, str>> {
    let text = |v: &'a Option<String>| v.as_deref().map(Cow::Borrowed);
    match attribute {
        "industry" => text(&c.industry),
        "category" => text(&c.category),
        "acquisition_channel" => text(&c.acquisition_channel),
        "name" => text(&c.name),
        "acquisition_cost" => c.acquisition_cost.map(|x| number_cow(x, bands)),
        _ => c.attributes.get(attribute).map(|v| match v {
            AttributeValue::Text(s) => Cow::Borrowed(s.as_str()),
            AttributeValue::Number(x) => number_cow(*x, bands),
            AttributeValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            AttributeValue::Date(d) => Cow::Owned(d.to_string()),
        }),
    }
}

fn number_cow(x: f64, bands: Option<&[f64]>) -> Cow<'static, str> {
    Cow::Owned(match bands {
        Some(cuts) => band_label(x, cuts),
        None => number_text(x),
    })
}

/// The number of a numeric attribute of a customer (`acquisition_cost` or a free number).
pub(crate) fn number_of(c: &Customer, attribute: &str) -> Option<f64> {
    match attribute {
        "acquisition_cost" => c.acquisition_cost,
        _ => match c.attributes.get(attribute)? {
            AttributeValue::Number(x) => Some(*x),
            _ => None,
        },
    }
}

/// A categorical column of the base (all missing without a customer table).
pub(crate) fn categorical(base: &CustomerBase, attribute: &str, bands: Option<&[f64]>) -> Categorical {
    categoricals(base, &[(attribute, bands)]).pop().expect("one column")
}

/// Several categorical columns (each with its cut points, if banded) in one pass over the
/// customer table (each customer's record is read once for all of them).
pub(crate) fn categoricals(base: &CustomerBase, attributes: &[(&str, Option<&[f64]>)]) -> Vec<Categorical> {
    let n = base.len();
    let Some(profiles) = base.profiles() else {
        return attributes.iter().map(|_| Categorical { labels: Vec::new(), codes: vec![MISSING; n] }).collect();
    };
    let k = attributes.len();
    // Each piece numbers the values it meets in its own dictionary per attribute (a linear
    // scan while there are few); the dictionaries are then merged in sorted order and the
    // codes mapped.
    let parts = map_pieces(n, |range| {
        let mut dicts: Vec<HashMap<String, u32>> = vec![HashMap::new(); k];
        let mut labels: Vec<Vec<String>> = vec![Vec::new(); k];
        let mut codes: Vec<Vec<u32>> = (0..k).map(|_| Vec::with_capacity(range.len())).collect();
        for c in &profiles[range] {
            for (a, &(attribute, bands)) in attributes.iter().enumerate() {
                if let Some(cuts) = bands {
                    let band = number_of(c, attribute).map_or(MISSING, |x| cuts.partition_point(|&b| b <= x) as u32);
                    codes[a].push(band);
                    continue;
                }
                let code = match category_of(c, attribute, None) {
                    None => MISSING,
                    Some(v) => {
                        let found = if labels[a].len() <= 16 {
                            labels[a].iter().position(|l| l.as_str() == v.as_ref()).map(|x| x as u32)
                        } else {
                            dicts[a].get(v.as_ref()).copied()
                        };
                        match found {
                            Some(x) => x,
                            None => {
                                let x = labels[a].len() as u32;
                                dicts[a].insert(v.to_string(), x);
                                labels[a].push(v.into_owned());
                                x
                            }
                        }
                    }
                };
                codes[a].push(code);
            }
        }
        (labels, codes)
    });
    (0..k)
        .map(|a| {
            if let Some(cuts) = attributes[a].1 {
                return Categorical {
                    labels: band_labels(cuts),
                    codes: parts.iter().flat_map(|p| p.1[a].iter().copied()).collect(),
                };
            }
            let mut labels: Vec<String> = parts.iter().flat_map(|p| p.0[a].iter().cloned()).collect();
            labels.sort_unstable();
            labels.dedup();
            let mut codes = Vec::with_capacity(n);
            for (local, part) in parts.iter().map(|p| (&p.0[a], &p.1[a])) {
                let map: Vec<u32> = local.iter().map(|l| labels.binary_search(l).expect("merged") as u32).collect();
                codes.extend(part.iter().map(|&x| if x == MISSING { MISSING } else { map[x as usize] }));
            }
            Categorical { labels, codes }
        })
        .collect()
}

/// A numeric column of the base: NaN where the customer has no number (or there is no
/// customer table).
pub(crate) fn numeric(base: &CustomerBase, attribute: &str) -> Vec<f64> {
    let n = base.len();
    let Some(profiles) = base.profiles() else { return vec![f64::NAN; n] };
    let mut out = vec![f64::NAN; n];
    crate::parallel::fill(&mut out, |first, piece| {
        for (o, c) in piece.iter_mut().zip(&profiles[first..]) {
            *o = number_of(c, attribute).unwrap_or(f64::NAN);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_labelled_by_their_cut_points() {
        let cuts = [10.0, 50.0, 250.0];
        assert_eq!(band_label(3.0, &cuts), "<10");
        assert_eq!(band_label(10.0, &cuts), "10-<50");
        assert_eq!(band_label(249.5, &cuts), "50-<250");
        assert_eq!(band_label(250.0, &cuts), ">=250");
        assert_eq!(band_label(0.5, &[0.25]), ">=0.25");
    }
}
