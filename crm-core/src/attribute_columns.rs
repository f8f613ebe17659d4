//! Customer attributes as columns, for the wallet estimate and segment profiles.
//!
//! The customer table keeps each customer's attributes as a record (text fields and a map of
//! free attributes), which is right for ingest and one customer at a time but slow for an
//! analysis of every customer: each customer's map is its own allocation (a cache miss), and
//! a name lookup and text comparisons follow. An [`AttributeTable`] holds the attributes an
//! analysis needs as per-attribute columns: a code per customer into the attribute's sorted
//! labels (or [`NUMBER`] / [`MISSING`]) and the numbers, so that the analyses work on
//! integers and floats only. The record fields industry, category, acquisition channel and
//! cost and every free attribute are read in one pass over the customer table on all
//! threads when the base is built (one pass for all costs less than a pass per analysis,
//! and the first analysis does not wait); others (the name) the first time they are asked
//! for. The columns are kept in the base's [`AttributeCache`] (the base is immutable, so a
//! column stays valid): about 4 bytes per customer and attribute, plus 8 for an attribute
//! with numbers.
//!
//! The codes do not depend on the thread count or the row order: labels are numbered in
//! sorted order.

use crate::base::CustomerBase;
use crate::customer::{AttributeValue, Customer};
use crate::parallel::{fill, map_pieces};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

/// The code of a missing value in a [`Categorical`] column.
pub(crate) const MISSING: u32 = u32::MAX;
/// The code of a number in an attribute's text codes (the number is in its numbers).
pub(crate) const NUMBER: u32 = u32::MAX - 1;

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

/// Where an attribute is kept in a customer's record, resolved once per attribute so that
/// the pass over the customers does not compare names.
#[derive(Clone, Copy)]
enum Field<'a> {
    Industry,
    Category,
    Channel,
    Name,
    AcquisitionCost,
    Free(&'a str),
}

impl<'a> Field<'a> {
    fn of(name: &'a str) -> Self {
        match name {
            "industry" => Field::Industry,
            "category" => Field::Category,
            "acquisition_channel" => Field::Channel,
            "name" => Field::Name,
            "acquisition_cost" => Field::AcquisitionCost,
            _ => Field::Free(name),
        }
    }
}

/// One customer's value of an attribute, as read from its record.
enum Value<'c> {
    Text(&'c str),
    Date(NaiveDate),
    Number(f64),
}

fn value_of<'c>(c: &'c Customer, field: Field<'_>) -> Option<Value<'c>> {
    let text = |v: &'c Option<String>| v.as_deref().map(Value::Text);
    match field {
        Field::Industry => text(&c.industry),
        Field::Category => text(&c.category),
        Field::Channel => text(&c.acquisition_channel),
        Field::Name => text(&c.name),
        Field::AcquisitionCost => c.acquisition_cost.map(Value::Number),
        Field::Free(name) => c.attributes.get(name).map(free_value),
    }
}

fn free_value(v: &AttributeValue) -> Value<'_> {
    match v {
        AttributeValue::Text(s) => Value::Text(s),
        AttributeValue::Number(x) => Value::Number(*x),
        AttributeValue::Bool(b) => Value::Text(if *b { "true" } else { "false" }),
        AttributeValue::Date(d) => Value::Date(*d),
    }
}

/// FNV-1a: labels are short, and the default hasher costs more than the lookup it serves.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// One attribute of every customer.
#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    /// Text values (text, flags `true` / `false`, ISO dates) as codes into sorted labels;
    /// [`NUMBER`] where the value is a number, [`MISSING`] where there is none.
    text: Categorical,
    /// The number where the value is one, NaN elsewhere (numbers in a base are finite);
    /// empty when no customer has a number.
    numbers: Vec<f64>,
}

/// What one thread read of one attribute: its own label numbering and the codes.
struct Piece<'c> {
    labels: Vec<Cow<'c, str>>,
    codes: Vec<u32>,
    /// The numbers, NaN where there is none; empty until the first number.
    numbers: Vec<f64>,
}

/// One thread's pieces of several attributes, for customers `0..len` of its range.
struct Reader<'c> {
    len: usize,
    pieces: Vec<Piece<'c>>,
    texts: Vec<FnvMap<&'c str, u32>>,
    dates: Vec<FnvMap<NaiveDate, u32>>,
}

impl<'c> Reader<'c> {
    fn new(len: usize) -> Self {
        Reader { len, pieces: Vec::new(), texts: Vec::new(), dates: Vec::new() }
    }

    /// Adds an attribute, missing for every customer so far; returns its position.
    fn add(&mut self) -> usize {
        self.pieces.push(Piece::missing(self.len));
        self.texts.push(FnvMap::default());
        self.dates.push(FnvMap::default());
        self.pieces.len() - 1
    }

    /// Sets attribute `a` of customer `i`.
    fn put(&mut self, a: usize, i: usize, value: Value<'c>) {
        let p = &mut self.pieces[a];
        p.codes[i] = match value {
            Value::Number(x) => {
                if p.numbers.is_empty() {
                    p.numbers = vec![f64::NAN; self.len];
                }
                p.numbers[i] = x;
                NUMBER
            }
            Value::Text(s) => {
                let next = p.labels.len() as u32;
                let code = *self.texts[a].entry(s).or_insert(next);
                if code == next {
                    p.labels.push(Cow::Borrowed(s));
                }
                code
            }
            Value::Date(d) => {
                let next = p.labels.len() as u32;
                let code = *self.dates[a].entry(d).or_insert(next);
                if code == next {
                    p.labels.push(Cow::Owned(d.to_string()));
                }
                code
            }
        };
    }
}

impl Piece<'_> {
    fn missing(len: usize) -> Self {
        Piece { labels: Vec::new(), codes: vec![MISSING; len], numbers: Vec::new() }
    }
}

impl Attribute {
    fn missing(n: usize) -> Self {
        Attribute { text: Categorical { labels: Vec::new(), codes: vec![MISSING; n] }, numbers: Vec::new() }
    }

    /// Merges the pieces (in customer order): labels sorted and deduplicated, the pieces'
    /// codes mapped to them. The first piece's columns are recoded in place and grown, so
    /// that no second column of `n` is allocated (fresh memory costs a page fault a page).
    fn merge(pieces: Vec<Piece<'_>>, n: usize) -> Self {
        let mut labels: Vec<&str> = pieces.iter().flat_map(|p| p.labels.iter().map(|l| l.as_ref())).collect();
        labels.sort_unstable();
        labels.dedup();
        let maps: Vec<Vec<u32>> = pieces
            .iter()
            .map(|p| p.labels.iter().map(|l| labels.binary_search(&l.as_ref()).expect("merged") as u32).collect())
            .collect();
        let labels: Vec<String> = labels.into_iter().map(str::to_owned).collect();
        let has_numbers = pieces.iter().any(|p| !p.numbers.is_empty());
        let (mut codes, mut numbers) = (Vec::new(), Vec::new());
        for (p, map) in pieces.into_iter().zip(maps) {
            let recode = |x: u32| if x >= NUMBER { x } else { map[x as usize] };
            let len = p.codes.len();
            if codes.is_empty() {
                codes = p.codes;
                codes.iter_mut().for_each(|x| *x = recode(*x));
                codes.reserve_exact(n - len);
            } else {
                codes.extend(p.codes.iter().map(|&x| recode(x)));
            }
            if has_numbers {
                if p.numbers.is_empty() {
                    numbers.extend(std::iter::repeat_n(f64::NAN, len));
                } else if numbers.is_empty() {
                    numbers = p.numbers;
                    numbers.reserve_exact(n - len);
                } else {
                    numbers.extend_from_slice(&p.numbers);
                }
            }
        }
        Attribute { text: Categorical { labels, codes }, numbers }
    }

    /// The number of customer `c`: `None` without a value, `Some(Err(()))` when the value is
    /// not a number.
    pub(crate) fn number(&self, c: usize) -> Option<Result<f64, ()>> {
        match self.text.codes[c] {
            MISSING => None,
            NUMBER => Some(Ok(self.numbers[c])),
            _ => Some(Err(())),
        }
    }

    /// The numbers, NaN where a customer has none.
    pub(crate) fn numbers(&self) -> Cow<'_, [f64]> {
        if self.numbers.is_empty() {
            Cow::Owned(vec![f64::NAN; self.text.codes.len()])
        } else {
            Cow::Borrowed(&self.numbers)
        }
    }

    /// The attribute as categories: numbers cut into the bands of `cuts` when given (other
    /// values missing), else every value as text (numbers as `x.to_string()`).
    pub(crate) fn categorical(&self, cuts: Option<&[f64]>) -> Cow<'_, Categorical> {
        if let Some(cuts) = cuts {
            let mut codes = vec![MISSING; self.text.codes.len()];
            if !self.numbers.is_empty() {
                fill(&mut codes, |first, piece| {
                    for (o, &x) in piece.iter_mut().zip(&self.numbers[first..]) {
                        if !x.is_nan() {
                            *o = cuts.partition_point(|&b| b <= x) as u32;
                        }
                    }
                });
            }
            return Cow::Owned(Categorical { labels: band_labels(cuts), codes });
        }
        if self.numbers.is_empty() {
            return Cow::Borrowed(&self.text);
        }
        // Numbers as text: each distinct number is formatted once.
        let mut distinct: Vec<f64> = self.numbers.iter().copied().filter(|x| !x.is_nan()).collect();
        distinct.sort_unstable_by(f64::total_cmp);
        distinct.dedup_by(|a, b| a.to_bits() == b.to_bits());
        let texts: Vec<String> = distinct.iter().map(f64::to_string).collect();
        let mut labels: Vec<String> = self.text.labels.iter().cloned().chain(texts.iter().cloned()).collect();
        labels.sort_unstable();
        labels.dedup();
        let code = |l: &String| labels.binary_search(l).expect("merged") as u32;
        let text_map: Vec<u32> = self.text.labels.iter().map(code).collect();
        let number_map: Vec<u32> = texts.iter().map(code).collect();
        let codes = self
            .text
            .codes
            .iter()
            .zip(&self.numbers)
            .map(|(&k, &x)| match k {
                MISSING => MISSING,
                NUMBER => number_map[distinct.binary_search_by(|d| d.total_cmp(&x)).expect("distinct number")],
                _ => text_map[k as usize],
            })
            .collect();
        Cow::Owned(Categorical { labels, codes })
    }
}

/// Reads the attributes `names` (distinct) in one pass over the customer table.
fn read_columns(base: &CustomerBase, names: &[&str]) -> Vec<Attribute> {
    let n = base.len();
    let Some(profiles) = base.profiles() else {
        return names.iter().map(|_| Attribute::missing(n)).collect();
    };
    let fields: Vec<Field> = names.iter().map(|a| Field::of(a)).collect();
    let parts = map_pieces(n, |range| {
        let mut r = Reader::new(range.len());
        fields.iter().for_each(|_| {
            r.add();
        });
        for (i, c) in profiles[range].iter().enumerate() {
            for (a, &field) in fields.iter().enumerate() {
                if let Some(v) = value_of(c, field) {
                    r.put(a, i, v);
                }
            }
        }
        r.pieces
    });
    let mut by_attribute: Vec<Vec<Piece>> = (0..fields.len()).map(|_| Vec::with_capacity(parts.len())).collect();
    for part in parts {
        for (a, p) in part.into_iter().enumerate() {
            by_attribute[a].push(p);
        }
    }
    by_attribute.into_iter().map(|pieces| Attribute::merge(pieces, n)).collect()
}

/// The record fields read when a base is built (not `name`: a label per customer, read
/// only when asked for).
const BUILT_FIELDS: [&str; 4] = ["acquisition_channel", "acquisition_cost", "category", "industry"];

/// Reads [`BUILT_FIELDS`] and every free attribute of `customers` as columns, in one pass
/// on all threads. A free attribute named like a record field is left out, as
/// [`read_columns`] never reads it.
fn read_all(customers: &[Customer]) -> BTreeMap<String, Arc<Attribute>> {
    let n = customers.len();
    let fields = BUILT_FIELDS.map(Field::of);
    let parts = map_pieces(n, |range| {
        let mut r = Reader::new(range.len());
        fields.iter().for_each(|_| {
            r.add();
        });
        // Free attributes in the order found, with their piece (none when shadowed).
        let mut free: Vec<(&str, Option<usize>)> = Vec::new();
        for (i, c) in customers[range].iter().enumerate() {
            for (a, &field) in fields.iter().enumerate() {
                if let Some(v) = value_of(c, field) {
                    r.put(a, i, v);
                }
            }
            for (name, v) in &c.attributes {
                let slot = match free.iter().find(|(k, _)| *k == name.as_str()) {
                    Some(&(_, slot)) => slot,
                    None => {
                        let slot = matches!(Field::of(name), Field::Free(_)).then(|| r.add());
                        free.push((name, slot));
                        slot
                    }
                };
                if let Some(a) = slot {
                    r.put(a, i, free_value(v));
                }
            }
        }
        let len = r.len;
        let mut pieces: Vec<Option<Piece>> = r.pieces.into_iter().map(Some).collect();
        let mut named: Vec<(&str, Piece)> =
            BUILT_FIELDS.iter().zip(&mut pieces).map(|(&f, p)| (f, p.take().expect("fixed"))).collect();
        named.extend(free.into_iter().filter_map(|(k, slot)| Some((k, pieces[slot?].take().expect("once")))));
        (len, named)
    });
    let mut names: Vec<&str> = parts.iter().flat_map(|(_, named)| named.iter().map(|(k, _)| *k)).collect();
    names.sort_unstable();
    names.dedup();
    let mut parts: Vec<(usize, BTreeMap<&str, Piece>)> =
        parts.into_iter().map(|(len, named)| (len, named.into_iter().collect())).collect();
    names
        .into_iter()
        .map(|name| {
            let pieces =
                parts.iter_mut().map(|(len, named)| named.remove(name).unwrap_or_else(|| Piece::missing(*len)));
            (name.to_owned(), Arc::new(Attribute::merge(pieces.collect(), n)))
        })
        .collect()
}

/// The columns of customer attributes read so far, by attribute name.
#[derive(Debug, Default)]
pub(crate) struct AttributeCache(Mutex<BTreeMap<String, Arc<Attribute>>>);

impl AttributeCache {
    /// The columns of the record fields and free attributes of a customer table (see
    /// [`read_all`]), read while the base is built so that no analysis waits for them:
    /// reading them on first use costs a cache miss per customer and field, as every
    /// record keeps its texts and attributes in allocations of their own.
    pub(crate) fn of_table(customers: Option<&[Customer]>) -> Self {
        AttributeCache(Mutex::new(customers.map(read_all).unwrap_or_default()))
    }
}

impl Clone for AttributeCache {
    fn clone(&self) -> Self {
        AttributeCache(Mutex::new(self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()))
    }
}

/// The attributes an analysis needs.
#[derive(Debug, Clone)]
pub(crate) struct AttributeTable {
    columns: BTreeMap<String, Arc<Attribute>>,
}

impl AttributeTable {
    /// The named attributes (repeats read once): from the base's cache, the others read in
    /// one pass over the customer table and cached (all missing without a customer table).
    pub(crate) fn read<'a>(base: &CustomerBase, names: impl IntoIterator<Item = &'a str>) -> Self {
        let cache = &base.attribute_cache().0;
        let mut columns = BTreeMap::new();
        let mut wanted: Vec<&str> = Vec::new();
        {
            // An insert is whole under the lock, so a poisoned map is still consistent.
            let cached = cache.lock().unwrap_or_else(PoisonError::into_inner);
            for name in names {
                match cached.get(name) {
                    Some(column) => {
                        columns.insert(name.to_owned(), Arc::clone(column));
                    }
                    None => wanted.push(name),
                }
            }
        }
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return AttributeTable { columns };
        }
        let read = read_columns(base, &wanted);
        let mut cached = cache.lock().unwrap_or_else(PoisonError::into_inner);
        for (name, column) in wanted.into_iter().zip(read) {
            // Another call may have read it meanwhile: the same data; keep the first.
            let column = cached.entry(name.to_owned()).or_insert_with(|| Arc::new(column));
            columns.insert(name.to_owned(), Arc::clone(column));
        }
        AttributeTable { columns }
    }

    /// An attribute read by [`Self::read`].
    ///
    /// # Panics
    /// When `name` was not read (a bug of the caller).
    pub(crate) fn get(&self, name: &str) -> &Attribute {
        self.columns.get(name).unwrap_or_else(|| panic!("attribute `{name}` was not read"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransactionColumns;

    /// A base of `customers` with one sale (customer 0's).
    fn with_one_sale(customers: impl IntoIterator<Item = Customer>) -> CustomerBase {
        CustomerBase::builder()
            .customers(customers)
            .transactions(TransactionColumns::new(vec![0_i64].into(), vec![0], vec![1.0]))
            .unwrap()
            .build()
            .unwrap()
    }

    #[test]
    fn bands_are_labelled_by_their_cut_points() {
        let cuts = [10.0, 50.0, 250.0];
        assert_eq!(band_label(3.0, &cuts), "<10");
        assert_eq!(band_label(10.0, &cuts), "10-<50");
        assert_eq!(band_label(249.5, &cuts), "50-<250");
        assert_eq!(band_label(250.0, &cuts), ">=250");
        assert_eq!(band_label(0.5, &[0.25]), ">=0.25");
    }

    #[test]
    fn mixed_values_read_as_text_numbers_and_bands() {
        let values = [
            Some(AttributeValue::Text("b".into())),
            Some(AttributeValue::Number(12.0)),
            None,
            Some(AttributeValue::Bool(true)),
            Some(AttributeValue::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())),
            Some(AttributeValue::Number(2.5)),
            Some(AttributeValue::Text("true".into())),
        ];
        let customers = values.iter().enumerate().map(|(i, v)| {
            let mut c = Customer::new(i as i64);
            c.industry = (i % 2 == 0).then(|| "retail".to_owned());
            if let Some(v) = v {
                c.attributes.insert("x".into(), v.clone());
            }
            c
        });
        let base = with_one_sale(customers);
        let t = AttributeTable::read(&base, ["x", "industry", "x"]);
        let x = t.get("x");
        // Text: numbers formatted as Rust prints them, a flag and the text "true" one label.
        let text = x.categorical(None);
        assert_eq!(text.labels, ["12", "2.5", "2024-02-29", "b", "true"]);
        assert_eq!(text.codes, [3, 0, MISSING, 4, 2, 1, 4]);
        let bands = x.categorical(Some(&[10.0]));
        assert_eq!(bands.labels, ["<10", ">=10"]);
        assert_eq!(bands.codes, [MISSING, 1, MISSING, MISSING, MISSING, 0, MISSING]);
        let nums = x.numbers();
        assert!(nums[0].is_nan() && nums[2].is_nan());
        assert_eq!((nums[1], nums[5]), (12.0, 2.5));
        assert_eq!((x.number(0), x.number(1), x.number(2)), (Some(Err(())), Some(Ok(12.0)), None));
        let industry = t.get("industry").categorical(None);
        assert!(matches!(industry, Cow::Borrowed(_)));
        assert_eq!(industry.labels, ["retail"]);
        assert_eq!(industry.codes, [0, MISSING, 0, MISSING, 0, MISSING, 0]);
        assert!(t.get("industry").numbers().iter().all(|v| v.is_nan()));
        // Read once: a second table shares the cached columns, and a clone of the base
        // carries them.
        let again = AttributeTable::read(&base, ["industry", "x"]);
        assert!(Arc::ptr_eq(&t.columns["x"], &again.columns["x"]));
        let copy = base.clone();
        assert!(Arc::ptr_eq(&AttributeTable::read(&copy, ["x"]).columns["x"], &t.columns["x"]));
    }

    #[test]
    fn columns_read_at_build_equal_those_read_on_first_use() {
        // Enough customers for a piece per thread; `late` only in the last customers (a
        // piece without it), a free `industry` shadowed by the record field.
        let n = 140_000_usize;
        let customers = (0..n).map(|i| {
            let mut c = Customer::new(i as i64);
            c.industry = (i % 7 != 0).then(|| ["a", "b", "c"][i % 3].to_owned());
            c.acquisition_cost = (i % 5 == 0).then_some(i as f64 / 4.0);
            c.attributes.insert("industry".into(), AttributeValue::Number(1.0));
            c.attributes.insert("size".into(), AttributeValue::Number((i % 11) as f64));
            if i >= 130_000 {
                let v = match i % 3 {
                    0 => AttributeValue::Text(format!("t{}", i % 4)),
                    1 => AttributeValue::Bool(i % 2 == 0),
                    _ => AttributeValue::Date(NaiveDate::from_ymd_opt(2024, 1, 1 + (i % 28) as u32).unwrap()),
                };
                c.attributes.insert("late".into(), v);
            }
            c
        });
        let base = with_one_sale(customers);
        let cached: Vec<String> = base.attribute_cache().0.lock().unwrap().keys().cloned().collect();
        assert_eq!(cached, ["acquisition_channel", "acquisition_cost", "category", "industry", "late", "size"]);
        let names = ["acquisition_channel", "acquisition_cost", "category", "industry", "late", "size"];
        let lazy = read_columns(&base, &names);
        let table = AttributeTable::read(&base, names);
        for (name, column) in names.iter().zip(&lazy) {
            assert_eq!(format!("{:?}", table.get(name)), format!("{column:?}"), "{name}");
        }
        let industry = table.get("industry");
        assert_eq!(industry.text.labels, ["a", "b", "c"]);
        assert!(industry.numbers.is_empty());
        assert_eq!(&industry.text.codes[..8], [MISSING, 1, 2, 0, 1, 2, 0, MISSING]);
        let cost = table.get("acquisition_cost");
        assert_eq!((cost.number(5), cost.number(6)), (Some(Ok(1.25)), None));
        let late = table.get("late");
        let labels: Vec<&str> = late.text.labels.iter().map(String::as_str).collect();
        assert_eq!(labels[..2], ["2024-01-01", "2024-01-02"]);
        assert_eq!(labels[28..], ["false", "t0", "t1", "t2", "t3", "true"]);
        assert!(late.text.codes[..130_000].iter().all(|&c| c == MISSING));
        // Labels: 28 dates (codes 0-27), false, t0-t3, true (28-33). 130,000 % 3 = 1 and even:
        // true; 130,001 % 3 = 2: a date, day 1 + 130,001 % 28 = 26 (code 25); 130,002 % 3 = 0:
        // t{130,002 % 4} = t2.
        assert_eq!(&late.text.codes[130_000..130_003], [33, 25, 31]);
        assert!(late.numbers.is_empty());
        assert_eq!(table.get("size").number(139_999), Some(Ok((139_999 % 11) as f64)));
    }
}
