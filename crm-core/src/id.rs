//! External ids (customer, order, product) and their interning to dense indices.
//!
//! Hosts give ids as integers or strings. A base interns them once; after that every
//! analysis works on dense `u32` indices. Interned ids are numbered in ascending id order
//! (integers numerically, strings by bytes), so indices, and every result ordered by them,
//! do not depend on the order of the input rows.

use crate::parallel::{fill_ranges, map_pieces, map_rows, pieces, run_tasks};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// One external id, as the host gives it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    /// An integer id.
    Int(i64),
    /// A string id.
    Str(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Int(v) => write!(f, "{v}"),
            Key::Str(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Key {
    fn from(v: i64) -> Self {
        Key::Int(v)
    }
}
impl From<&str> for Key {
    fn from(v: &str) -> Self {
        Key::Str(v.to_owned())
    }
}
impl From<String> for Key {
    fn from(v: String) -> Self {
        Key::Str(v)
    }
}

/// Many strings in one buffer (Arrow-style offsets), so a column of ten million ids costs
/// two allocations, not ten million.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrColumn {
    offsets: Vec<usize>,
    data: String,
}

impl StrColumn {
    /// An empty column.
    pub fn new() -> Self {
        StrColumn { offsets: vec![0], data: String::new() }
    }

    /// An empty column with room for `n` strings of `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        StrColumn { offsets, data: String::with_capacity(bytes) }
    }

    /// Appends a string.
    pub fn push(&mut self, s: &str) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.data.push_str(s);
        self.offsets.push(self.data.len());
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there are no strings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th string.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn get(&self, i: usize) -> &str {
        &self.data[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The position of `s` in a column sorted ascending (binary search), if present.
    pub fn position_sorted(&self, s: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(s) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Appends the strings that Arrow-style `offsets` (one more than the strings, ascending)
    /// mark in `data`: one copy of the bytes, not one per string.
    ///
    /// ```
    /// # use crm_core::StrColumn;
    /// let mut ids = StrColumn::new();
    /// ids.extend_from_offsets([2, 4, 4, 7], "xxC1C33yy");
    /// assert_eq!(ids.iter().collect::<Vec<_>>(), ["C1", "", "C33"]);
    /// ```
    ///
    /// # Panics
    /// When an offset is beyond `data` or not at a character boundary.
    pub fn extend_from_offsets(&mut self, offsets: impl IntoIterator<Item = usize>, data: &str) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let mut offsets = offsets.into_iter();
        let Some(start) = offsets.next() else { return };
        let base = self.data.len();
        let mut end = start;
        self.offsets.extend(offsets.map(|o| {
            end = o;
            base + (o - start)
        }));
        self.data.push_str(&data[start..end]);
    }

    /// Appends every string of `other` (two copies of whole buffers, not one per string).
    pub(crate) fn extend_from(&mut self, other: &StrColumn) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let base = self.data.len();
        self.data.push_str(&other.data);
        self.offsets.extend(other.offsets.iter().skip(1).map(|o| o + base));
    }

    /// Bytes of string data held.
    pub(crate) fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Iterates over the strings.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<S: AsRef<str>> FromIterator<S> for StrColumn {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut c = StrColumn::new();
        for s in iter {
            c.push(s.as_ref());
        }
        c
    }
}

/// A column of external ids, all of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyColumn {
    /// Integer ids.
    Int(Vec<i64>),
    /// String ids.
    Str(StrColumn),
}

impl Default for KeyColumn {
    fn default() -> Self {
        KeyColumn::Int(Vec::new())
    }
}

impl From<Vec<i64>> for KeyColumn {
    fn from(v: Vec<i64>) -> Self {
        KeyColumn::Int(v)
    }
}
impl From<StrColumn> for KeyColumn {
    fn from(v: StrColumn) -> Self {
        KeyColumn::Str(v)
    }
}
impl From<Vec<&str>> for KeyColumn {
    fn from(v: Vec<&str>) -> Self {
        KeyColumn::Str(v.into_iter().collect())
    }
}
impl From<Vec<String>> for KeyColumn {
    fn from(v: Vec<String>) -> Self {
        KeyColumn::Str(v.into_iter().collect())
    }
}

impl KeyColumn {
    /// Number of ids.
    pub fn len(&self) -> usize {
        match self {
            KeyColumn::Int(v) => v.len(),
            KeyColumn::Str(v) => v.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// "integer" or "string".
    pub fn kind(&self) -> &'static str {
        match self {
            KeyColumn::Int(_) => "integer",
            KeyColumn::Str(_) => "string",
        }
    }

    /// The `i`-th id.
    pub fn get(&self, i: usize) -> Key {
        match self {
            KeyColumn::Int(v) => Key::Int(v[i]),
            KeyColumn::Str(v) => Key::Str(v.get(i).to_owned()),
        }
    }

    /// The `i`-th id as text (for messages and exports).
    pub fn display(&self, i: usize) -> String {
        match self {
            KeyColumn::Int(v) => v[i].to_string(),
            KeyColumn::Str(v) => v.get(i).to_owned(),
        }
    }

    /// Builds a column from keys; all must be of one kind.
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a Key>, column: &str) -> crate::Result<Self> {
        let mut iter = keys.into_iter().peekable();
        let mut out = match iter.peek() {
            Some(Key::Str(_)) => KeyColumn::Str(StrColumn::new()),
            _ => KeyColumn::Int(Vec::new()),
        };
        for (row, k) in iter.enumerate() {
            match (&mut out, k) {
                (KeyColumn::Int(v), Key::Int(x)) => v.push(*x),
                (KeyColumn::Str(v), Key::Str(x)) => v.push(x),
                (o, k) => {
                    return Err(crate::Error::invalid(
                        row,
                        column,
                        format!("id `{k}` is not of the column's kind ({})", o.kind()),
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// A fast, deterministic hasher for ids (multiply-rotate, as in rustc's FxHash). Ids are not
/// attacker-chosen keys of a long-lived map, so DoS resistance is not needed here.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // Fold the high bits down: hashbrown takes its control byte from the top bits.
        self.0 ^ (self.0 >> 29)
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The distinct ids of a column, sorted, with each row's index into them.
#[derive(Debug)]
pub(crate) struct Interned {
    /// Distinct ids in ascending order.
    pub uniques: KeyColumn,
    /// For each input row, the index of its id in `uniques`.
    pub codes: Vec<u32>,
}

impl Interned {
    /// For each unique id, the first input row holding it (for error messages: a pass
    /// over the rows, so only on the error path).
    pub fn first_rows(&self) -> Vec<usize> {
        first_rows(&self.codes, self.uniques.len())
    }
}

/// For each of `uniques` codes, the first row holding it.
pub(crate) fn first_rows(codes: &[u32], uniques: usize) -> Vec<usize> {
    let mut first = vec![usize::MAX; uniques];
    for (row, &c) in codes.iter().enumerate().rev() {
        first[c as usize] = row;
    }
    first
}

/// Each row's index into the interned ids, as an ungrouped base keeps them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowCodes {
    /// Looked up once and kept, one per row.
    Stored(Vec<u32>),
    /// The rows' integer ids are every number from this one up (ids handed out in
    /// sequence): a row's code is its id minus this, computed as it is read, so no code
    /// column is written or kept.
    Offset(i64),
}

impl RowCodes {
    /// The codes as a column; `ids` are the rows' integer ids (read for an offset only).
    pub(crate) fn stored(self, ids: &[i64]) -> Vec<u32> {
        match self {
            RowCodes::Stored(codes) => codes,
            RowCodes::Offset(min) => map_rows(ids, |&id| (id - min) as u32),
        }
    }
}

/// Each row's customer code as the row passes and the grouping read it: stored per row
/// (`[u32]`), or computed from the row's id ([`IdOffsets`]).
pub(crate) trait RowCode: Sync {
    /// Number of rows.
    fn rows(&self) -> usize;
    /// Row `row`'s customer code.
    fn code(&self, row: usize) -> u32;
}

impl RowCode for [u32] {
    fn rows(&self) -> usize {
        self.len()
    }
    #[inline]
    fn code(&self, row: usize) -> u32 {
        self[row]
    }
}

/// Codes of rows whose integer ids are every number from `min` up: a row's code is its id
/// minus `min` ([`RowCodes::Offset`]).
pub(crate) struct IdOffsets<'a> {
    pub ids: &'a [i64],
    pub min: i64,
}

impl RowCode for IdOffsets<'_> {
    fn rows(&self) -> usize {
        self.ids.len()
    }
    #[inline]
    fn code(&self, row: usize) -> u32 {
        (self.ids[row] - self.min) as u32
    }
}

/// Interns a column: distinct ids sorted ascending, codes per row.
pub(crate) fn intern(column: &KeyColumn) -> Interned {
    match column {
        KeyColumn::Int(v) => intern_ints(v),
        KeyColumn::Str(v) => {
            let (uniques, codes) = match intern_numbered(v) {
                Some(numbered) => numbered,
                None => {
                    let (uniques, codes) = intern_strs(v);
                    (uniques.into_iter().collect(), codes)
                }
            };
            Interned { uniques: KeyColumn::Str(uniques), codes }
        }
    }
}

/// [`intern`] for integer ids wherever they are kept.
pub(crate) fn intern_ints(v: &[i64]) -> Interned {
    let (uniques, codes) = intern_int_rows(v);
    Interned { uniques: KeyColumn::Int(uniques), codes: codes.stored(v) }
}

/// [`intern_ints`] with the codes left to be computed from the ids when those are every
/// number of a range.
pub(crate) fn intern_int_rows(v: &[i64]) -> (Vec<i64>, RowCodes) {
    intern_dense(v).unwrap_or_else(|| {
        let (uniques, codes) = intern_values(v.iter().copied());
        (uniques, RowCodes::Stored(codes))
    })
}

/// [`intern`] for a string column of labels (few distinct values, such as interaction
/// kinds and outcomes): the same uniques and codes, but faster. Each piece of the rows is
/// interned on its own thread, and a small cache answers most rows without hashing the
/// string; the pieces' distinct labels are then merged and sorted, and each piece's codes
/// mapped through a table to the sorted order.
pub(crate) fn intern_labels(column: &StrColumn) -> (StrColumn, Vec<u32>) {
    let ranges = pieces(column.len());
    let mut codes = vec![0u32; column.len()];
    let seen = fill_ranges(ranges.clone(), codes.as_mut_slice(), |rows, out| intern_piece(column, rows, out));
    let mut uniques: Vec<&str> = seen.iter().flatten().copied().collect();
    uniques.sort_unstable();
    uniques.dedup();
    let tables: Vec<Vec<u32>> = seen
        .iter()
        .map(|s| s.iter().map(|l| uniques.binary_search(l).expect("a label of the column") as u32).collect())
        .collect();
    recode_pieces(&mut codes, &ranges, &tables);
    (uniques.into_iter().collect(), codes)
}

/// Maps each piece's codes (`ranges` of `codes`) through its table, on all threads.
fn recode_pieces(codes: &mut [u32], ranges: &[std::ops::Range<usize>], tables: &[Vec<u32>]) {
    let (mut tasks, mut rest) = (Vec::new(), codes);
    for (rows, table) in ranges.iter().zip(tables) {
        let (piece, tail) = rest.split_at_mut(rows.len());
        rest = tail;
        tasks.push(move || piece.iter_mut().for_each(|c| *c = table[*c as usize]));
    }
    run_tasks(tasks);
}

/// Slots of the label cache of [`intern_piece`].
const LABEL_CACHE: usize = 64;

/// Codes `rows` of `column` into `codes` by first appearance in the piece; returns the
/// piece's distinct labels in that order. A cache slot chosen by the label's length and
/// end bytes remembers the last label seen there: a label set of a few values rarely
/// shares a slot, so most rows cost a short compare instead of a hash and a lookup.
fn intern_piece<'a>(column: &'a StrColumn, rows: std::ops::Range<usize>, codes: &mut [u32]) -> Vec<&'a str> {
    let mut map: FastMap<&str, u32> = FastMap::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut cache = [u32::MAX; LABEL_CACHE];
    for (row, code) in rows.zip(codes) {
        let label = column.get(row);
        let slot = label_slot(label);
        let cached = cache[slot];
        *code = if cached != u32::MAX && seen[cached as usize] == label {
            cached
        } else {
            let next = seen.len() as u32;
            let c = *map.entry(label).or_insert_with(|| {
                seen.push(label);
                next
            });
            cache[slot] = c;
            c
        };
    }
    seen
}

/// The cache slot of a label: from its length and first and last bytes (no full hash).
fn label_slot(label: &str) -> usize {
    let b = label.as_bytes();
    let (first, last) = (b.first().map_or(0, |&x| x as usize), b.last().map_or(0, |&x| x as usize));
    (b.len().wrapping_mul(37) ^ first.wrapping_mul(7) ^ last) % LABEL_CACHE
}

/// [`intern_values`] for integer ids in a range at most four times the row count (the
/// usual case: ERP customer numbers): a lookup table replaces the hash map, and the rows
/// are read on all threads. Same result; the codes an offset when every number of the
/// range occurs.
fn intern_dense(v: &[i64]) -> Option<(Vec<i64>, RowCodes)> {
    let bounds = map_pieces(v.len(), |rows| {
        let piece = &v[rows];
        piece.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
    });
    let (min, max) = bounds.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &(a, b)| (lo.min(a), hi.max(b)));
    if v.is_empty() {
        return None;
    }
    let span = max.checked_sub(min)? as u128 + 1;
    if span > 4 * v.len() as u128 + 1024 {
        return None;
    }
    // Which values occur: each thread marks its own table (threads writing one shared
    // table would fight over its cache lines), then the tables are merged.
    let marks = map_pieces(v.len(), |rows| {
        let mut present = vec![false; span as usize];
        v[rows].iter().for_each(|&id| present[(id - min) as usize] = true);
        present
    });
    let mut marks = marks.into_iter();
    let mut present = marks.next().unwrap_or_default();
    for m in marks {
        present.iter_mut().zip(m).for_each(|(p, q)| *p |= q);
    }
    if present.iter().all(|&p| p) {
        // Every number of the range occurs (ids handed out in sequence): a row's code is its
        // id's offset from the smallest, computed rather than looked up.
        return Some(((min..=max).collect(), RowCodes::Offset(min)));
    }
    let mut code_of = vec![u32::MAX; span as usize];
    let mut uniques = Vec::new();
    for (k, _) in present.iter().enumerate().filter(|(_, p)| **p) {
        code_of[k] = uniques.len() as u32;
        uniques.push(min + k as i64);
    }
    let codes = map_rows(v, |&id| code_of[(id - min) as usize]);
    Some((uniques, RowCodes::Stored(codes)))
}

/// Distinct values in ascending order and each row's index into them. Hashing numbers
/// values by first appearance; renumbering them in sorted order makes the result
/// independent of the row order.
fn intern_values<T: Copy + Eq + std::hash::Hash + Ord>(values: impl ExactSizeIterator<Item = T>) -> (Vec<T>, Vec<u32>) {
    let mut map: FastMap<T, u32> = FastMap::default();
    let mut codes = Vec::with_capacity(values.len());
    let mut seen: Vec<T> = Vec::new();
    for id in values {
        let next = seen.len() as u32;
        let code = *map.entry(id).or_insert_with(|| {
            seen.push(id);
            next
        });
        codes.push(code);
    }
    in_sorted_order(seen, codes)
}

/// The longest id [`packed`] holds: customer numbers and codes fit, most e-mail addresses
/// do not.
const PACKED_MAX: usize = 15;

/// A string of at most [`PACKED_MAX`] bytes with its length, as one number: equal strings
/// give equal numbers, and comparing them follows no pointer.
#[inline]
fn packed(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() > PACKED_MAX {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..b.len()].copy_from_slice(b);
    buf[PACKED_MAX] = b.len() as u8;
    Some(u128::from_le_bytes(buf))
}

/// The most digits [`intern_numbered`] reads as one number (below 2^63).
const NUMBERED_DIGITS: usize = 18;

/// [`intern_strs`] for ids that are one prefix and a number of a fixed width ("C00001234",
/// "CU-0042", "000517": ERP customer numbers as text). Their order as text is the order of
/// their numbers, so they are interned as the numbers ([`intern_dense`] when those are
/// dense) and written back with the prefix: the same result, at the speed of integer ids.
/// `None` when any id has another shape.
fn intern_numbered(column: &StrColumn) -> Option<(StrColumn, Vec<u32>)> {
    let first = column.iter().next()?.as_bytes();
    let digits = first.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > NUMBERED_DIGITS {
        return None;
    }
    let (width, prefix) = (first.len(), &first[..first.len() - digits]);
    let mut numbers = vec![0i64; column.len()];
    let shaped = fill_ranges(pieces(column.len()), numbers.as_mut_slice(), |rows, out| {
        rows.zip(out).all(|(row, n)| {
            let id = column.get(row).as_bytes();
            if id.len() != width || !id.starts_with(prefix) {
                return false;
            }
            let mut value = 0i64;
            for &b in &id[width - digits..] {
                if !b.is_ascii_digit() {
                    return false;
                }
                value = value * 10 + i64::from(b - b'0');
            }
            *n = value;
            true
        })
    });
    if !shaped.iter().all(|&ok| ok) {
        return None;
    }
    let (uniques, codes) = intern_int_rows(&numbers);
    let codes = codes.stored(&numbers);
    let prefix = std::str::from_utf8(prefix).ok()?;
    let mut text = StrColumn::with_capacity(uniques.len(), uniques.len() * width);
    let mut id = String::with_capacity(width);
    for n in uniques {
        use std::fmt::Write;
        id.clear();
        let _ = write!(id, "{prefix}{n:0digits$}");
        text.push(&id);
    }
    Some((text, codes))
}

/// The hash of a packed id.
#[inline]
fn packed_hash(key: u128) -> u64 {
    let mut h = FastHasher::default();
    h.add(key as u64);
    h.add((key >> 64) as u64);
    h.finish()
}

/// String ids numbered by first appearance. Short ids are hashed and compared as packed
/// numbers, kept in a column beside a table of 4-byte codes: in rows of mixed order (a
/// sales export in date order) comparing the strings themselves reads each id's first row
/// from all over the column, and a table holding the keys outgrows the cache sooner.
#[derive(Default)]
struct StrCodes<'a> {
    table: hashbrown::HashTable<u32>,
    /// Per code: the packed id, or [`StrCodes::LONG`].
    keys: Vec<u128>,
    long: FastMap<&'a str, u32>,
    /// Per code: the id.
    seen: Vec<&'a str>,
}

impl<'a> StrCodes<'a> {
    /// The key of ids too long to pack: never a packed key (its length byte would be 255).
    const LONG: u128 = u128::MAX;

    #[inline]
    fn code(&mut self, id: &'a str) -> u32 {
        let next = self.seen.len() as u32;
        match packed(id) {
            Some(key) => {
                let hash = packed_hash(key);
                let keys = &mut self.keys;
                if let Some(&c) = self.table.find(hash, |&c| keys[c as usize] == key) {
                    return c;
                }
                keys.push(key);
                self.seen.push(id);
                self.table.insert_unique(hash, next, |&c| packed_hash(keys[c as usize]));
                next
            }
            None => *self.long.entry(id).or_insert_with(|| {
                self.keys.push(Self::LONG);
                self.seen.push(id);
                next
            }),
        }
    }
}

/// [`intern_values`] for string ids ([`StrCodes`]). Each piece of the rows is coded on its
/// own thread; the pieces' ids are then coded in the first piece's table (a lookup per
/// distinct id, not per row) and every row's code mapped to the sorted order.
fn intern_strs(column: &StrColumn) -> (Vec<&str>, Vec<u32>) {
    let ranges = pieces(column.len());
    let mut codes = vec![0u32; column.len()];
    let mut pieces_codes = fill_ranges(ranges.clone(), codes.as_mut_slice(), |rows, out| {
        let mut piece = StrCodes::default();
        for (row, code) in rows.zip(out) {
            *code = piece.code(column.get(row));
        }
        piece
    });
    if pieces_codes.is_empty() {
        return (Vec::new(), codes);
    }
    let mut all = pieces_codes.remove(0);
    // Per piece: its codes in `all`'s numbering (the first piece's are `all`'s own).
    let mut maps: Vec<Vec<u32>> = vec![(0..all.seen.len() as u32).collect()];
    maps.extend(pieces_codes.iter().map(|p| p.seen.iter().map(|id| all.code(id)).collect()));
    let (uniques, rank) = in_sorted_order(all.seen, (0..all.keys.len() as u32).collect());
    let maps: Vec<Vec<u32>> = maps.into_iter().map(|m| m.into_iter().map(|c| rank[c as usize]).collect()).collect();
    recode_pieces(&mut codes, &ranges, &maps);
    (uniques, codes)
}

/// Renumbers codes given by first appearance (`seen`) in ascending order of the values.
fn in_sorted_order<T: Copy + Ord>(seen: Vec<T>, mut codes: Vec<u32>) -> (Vec<T>, Vec<u32>) {
    let mut order: Vec<u32> = (0..seen.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| seen[a as usize].cmp(&seen[b as usize]));
    let mut rank = vec![0u32; order.len()];
    for (r, &o) in order.iter().enumerate() {
        rank[o as usize] = r as u32;
    }
    for c in &mut codes {
        *c = rank[*c as usize];
    }
    let uniques = order.iter().map(|&o| seen[o as usize]).collect();
    (uniques, codes)
}

/// Looks up ids in a sorted, distinct key column (binary search).
pub(crate) fn lookup(uniques: &KeyColumn, key: &Key) -> Option<u32> {
    match (uniques, key) {
        (KeyColumn::Int(v), Key::Int(k)) => v.binary_search(k).ok().map(|i| i as u32),
        (KeyColumn::Str(v), Key::Str(k)) => v.position_sorted(k).map(|i| i as u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_numbers_ids_in_sorted_order() {
        let col = KeyColumn::Int(vec![30, 10, 30, 20, 10]);
        let i = intern(&col);
        assert_eq!(i.uniques, KeyColumn::Int(vec![10, 20, 30]));
        assert_eq!(i.codes, vec![2, 0, 2, 1, 0]);
        assert_eq!(i.first_rows(), vec![1, 3, 0]);
    }

    #[test]
    fn dense_and_hashed_interning_agree() {
        let dense = vec![7_i64, 3, 7, 5, 3, 9];
        let sparse: Vec<i64> = dense.iter().map(|v| v * 1_000_000_007).collect();
        let (a, b) = (intern(&KeyColumn::Int(dense)), intern(&KeyColumn::Int(sparse)));
        assert_eq!(a.codes, b.codes);
        assert_eq!(a.first_rows(), b.first_rows());
        assert_eq!(a.uniques, KeyColumn::Int(vec![3, 5, 7, 9]));
        // Every number of the range present (codes computed, not looked up).
        let gapless = vec![-2_i64, 1, 0, -1, 1, -2];
        let (c, d) = (intern(&KeyColumn::Int(gapless.clone())), interned_by_sorting(&gapless));
        assert_eq!((c.uniques, c.codes), (KeyColumn::Int(d.0), d.1));
        let extremes = intern(&KeyColumn::Int(vec![i64::MAX, i64::MIN]));
        assert_eq!(extremes.codes, vec![1, 0]);
    }

    #[test]
    fn string_interning_and_lookup() {
        let col: KeyColumn = vec!["b", "a", "b", "c"].into();
        let i = intern(&col);
        assert_eq!(i.codes, vec![1, 0, 1, 2]);
        assert_eq!(lookup(&i.uniques, &Key::from("c")), Some(2));
        assert_eq!(lookup(&i.uniques, &Key::from("x")), None);
        assert_eq!(lookup(&i.uniques, &Key::Int(1)), None);
    }

    /// Interning by sorting: the distinct ids in order, each row's position among them.
    fn interned_by_sorting<T: Ord + Clone>(ids: &[T]) -> (Vec<T>, Vec<u32>) {
        let mut uniques = ids.to_vec();
        uniques.sort();
        uniques.dedup();
        let codes = ids.iter().map(|id| uniques.binary_search(id).unwrap() as u32).collect();
        (uniques, codes)
    }

    #[test]
    fn every_shape_of_string_id_interns_as_sorting_would() {
        type Shape = Box<dyn Fn(u64) -> String>;
        let shapes: Vec<(&str, Shape)> = vec![
            ("numbered", Box::new(|i| format!("C{:08}", i % 5_000))),
            ("numbered, sparse", Box::new(|i| format!("CU-{:012}", (i % 5_000) * 1_000_003))),
            ("digits only", Box::new(|i| format!("{:06}", i % 5_000))),
            ("non-ASCII prefix", Box::new(|i| format!("Kunde-\u{e4}{:05}", i % 5_000))),
            ("19 digits", Box::new(|i| format!("{:019}", (i % 5_000) * 999_999_999_999))),
            (
                "one id a digit longer",
                Box::new(|i| if i == 777 { "C123456789".into() } else { format!("C{:08}", i % 5_000) }),
            ),
            ("two prefixes", Box::new(|i| format!("{}{:04}", if i % 3 == 0 { "A" } else { "B" }, i % 5_000))),
            ("digits then letters", Box::new(|i| format!("{:05}x", i % 5_000))),
            (
                "short and long",
                Box::new(|i| if i % 2 == 0 { format!("k{}", i % 500) } else { format!("customer-{:020}", i % 700) }),
            ),
            ("with the empty id", Box::new(|i| if i % 11 == 0 { String::new() } else { format!("id{}", i % 5_000) })),
        ];
        for (name, shape) in shapes {
            for n in [1u64, 3, 200_000] {
                // Mixed order, as a sales export in date order.
                let ids: Vec<String> = (0..n).map(|r| shape((r * 7_919) % n.max(1))).collect();
                let (uniques, codes) = interned_by_sorting(&ids);
                let got = intern(&KeyColumn::Str(ids.iter().collect()));
                assert_eq!(got.uniques, KeyColumn::Str(uniques.iter().collect()), "{name}, {n} rows");
                assert_eq!(got.codes, codes, "{name}, {n} rows");
            }
        }
    }

    #[test]
    fn label_interning_agrees_with_interning() {
        // Enough rows for several pieces, labels sharing cache slots, and the empty label.
        let labels = ["campaign", "complaint", "", "yes", "no", "ab", "ba", "aab", "b\u{e9}", "P:1/D:2", "P:1/D:3"];
        for n in [0usize, 1, 7, 200_000] {
            let col: StrColumn = (0..n).map(|r| labels[(r * 7 + r / 3) % labels.len()]).collect();
            let expected = intern(&KeyColumn::Str(col.clone()));
            let (uniques, codes) = intern_labels(&col);
            assert_eq!(KeyColumn::Str(uniques), expected.uniques, "{n} rows");
            assert_eq!(codes, expected.codes, "{n} rows");
        }
    }
}
