//! Dates and date-times in the shapes sales exports use, parsed by hand (no allocation, no
//! strftime in the hot path):
//!
//! - ISO: `2024-03-01`, `2024-03-01 10:00`, `2024-03-01T10:00:00.5`, with `Z` or an offset
//!   (`+01:00`, `+0100`), which is turned into UTC;
//! - `a/b/YYYY [H:MM[:SS]]`: month first (US, e.g. `12/1/2010 8:26`) or day first; the order
//!   is decided over the whole file (see [`DateScan`]);
//! - `D.M.YYYY [H:MM[:SS]]` (day first).
//!
//! Years have four digits. Explicit strftime formats, when given, are used instead.

use crate::time::parse_timestamp;

/// Marks a value of an `a/b/YYYY` date whose order is not known yet (real timestamps stay
/// far below 2^40 in magnitude).
const PENDING: i64 = 1 << 62;

/// What was seen in a date column, gathered per chunk and merged in file order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DateScan {
    /// Line of the first `a/b/YYYY` date whose first field is over 12 (so: day first).
    pub first_over_12: Option<u64>,
    /// Line of the first `a/b/YYYY` date whose second field is over 12 (so: month first).
    pub second_over_12: Option<u64>,
    /// Whether `a/b/YYYY` dates with both fields at most 12 were seen.
    pub ambiguous_seen: Option<u64>,
    /// Shapes seen, a set of `SHAPE_*` bits.
    pub shapes: u8,
}

pub(crate) const SHAPE_ISO: u8 = 1;
pub(crate) const SHAPE_ISO_TIME: u8 = 2;
pub(crate) const SHAPE_SLASH: u8 = 4;
pub(crate) const SHAPE_DOT: u8 = 8;
pub(crate) const SHAPE_TIME: u8 = 16;
pub(crate) const SHAPE_STRFTIME: u8 = 32;

impl DateScan {
    /// Adds what a later part of the file saw (`line_offset` turns its relative lines into
    /// file lines).
    pub fn merge(&mut self, later: &DateScan, line_offset: u64) {
        let first = |a: Option<u64>, b: Option<u64>| a.or(b.map(|l| l + line_offset));
        self.first_over_12 = first(self.first_over_12, later.first_over_12);
        self.second_over_12 = first(self.second_over_12, later.second_over_12);
        self.ambiguous_seen = first(self.ambiguous_seen, later.ambiguous_seen);
        self.shapes |= later.shapes;
    }

    /// Decides the order of `a/b/YYYY` dates: `Ok(None)` when there are none, else
    /// `Ok(Some(day_first))`, or the message of why it cannot be decided.
    pub fn day_first(&self, option: Option<bool>) -> Result<Option<bool>, String> {
        if self.shapes & SHAPE_SLASH == 0 {
            return Ok(option);
        }
        match (self.first_over_12, self.second_over_12, option) {
            (Some(a), Some(b), _) => Err(format!(
                "the dates mix day-first (line {a}: first field over 12) and month-first (line {b}: \
                 second field over 12) orders"
            )),
            (Some(a), None, Some(false)) => {
                Err(format!("day_first = false but line {a} has a date whose first field is over 12"))
            }
            (None, Some(b), Some(true)) => {
                Err(format!("day_first = true but line {b} has a date whose second field is over 12"))
            }
            (Some(_), None, _) => Ok(Some(true)),
            (None, Some(_), _) => Ok(Some(false)),
            (None, None, Some(o)) => Ok(Some(o)),
            (None, None, None) => Err(format!(
                "the dates are ambiguous: no a/b/YYYY date has a field over 12 (e.g. line {}), so day \
                 and month cannot be told apart; give day_first = true (D/M/YYYY) or day_first = false \
                 (M/D/YYYY)",
                self.ambiguous_seen.unwrap_or(0)
            )),
        }
    }

    /// A short description of the shapes seen, e.g. `M/D/YYYY H:MM`.
    pub fn describe(&self, day_first: Option<bool>) -> String {
        let mut parts = Vec::new();
        let time = if self.shapes & SHAPE_TIME != 0 { " H:MM" } else { "" };
        if self.shapes & SHAPE_ISO != 0 {
            parts.push("YYYY-MM-DD".to_owned());
        }
        if self.shapes & SHAPE_ISO_TIME != 0 {
            parts.push("YYYY-MM-DD HH:MM[:SS]".to_owned());
        }
        if self.shapes & SHAPE_SLASH != 0 {
            parts.push(format!("{}{time}", if day_first == Some(true) { "D/M/YYYY" } else { "M/D/YYYY" }));
        }
        if self.shapes & SHAPE_DOT != 0 {
            parts.push(format!("D.M.YYYY{time}"));
        }
        if self.shapes & SHAPE_STRFTIME != 0 {
            parts.push("strftime".to_owned());
        }
        parts.join(", ")
    }
}

/// Parses dates of one column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateParser<'a> {
    /// The order of `a/b/YYYY` dates when known (given as an option).
    pub day_first: Option<bool>,
    /// Explicit strftime formats; empty for the built-in shapes.
    pub formats: &'a [String],
}

impl DateParser<'_> {
    /// Unix seconds of `text` (trimmed), or a pending value for `a/b/YYYY` dates while the
    /// order is not known (see [`resolve`]); `None` when it is not a date. `line` is noted in
    /// `scan` for messages.
    #[inline]
    pub fn parse(&self, text: &[u8], line: u64, scan: &mut DateScan) -> Option<i64> {
        if !self.formats.is_empty() {
            scan.shapes |= SHAPE_STRFTIME;
            return parse_timestamp(std::str::from_utf8(text).ok()?, self.formats);
        }
        let mut c = Cursor { s: text, i: 0 };
        let first = c.digits(1, 4)?;
        match c.peek() {
            Some(b'-') if first.1 == 4 => {
                c.i += 1;
                let month = c.digits(2, 2)?.0;
                c.expect(b'-')?;
                let day = c.digits(2, 2)?.0;
                let days = civil_days(first.0 as i64, month, day)?;
                if c.done() {
                    scan.shapes |= SHAPE_ISO;
                    return Some(days * 86_400);
                }
                if !matches!(c.peek(), Some(b'T' | b' ')) {
                    return None;
                }
                c.i += 1;
                let secs = c.time(true)?;
                scan.shapes |= SHAPE_ISO_TIME;
                Some(days * 86_400 + secs - c.offset()?)
            }
            Some(sep @ (b'/' | b'.')) if first.1 <= 2 => {
                c.i += 1;
                let second = c.digits(1, 2)?.0;
                c.expect(sep)?;
                let year = c.digits(4, 4)?.0 as i64;
                let secs = if c.done() {
                    0
                } else {
                    c.expect(b' ')?;
                    while c.peek() == Some(b' ') {
                        c.i += 1;
                    }
                    scan.shapes |= SHAPE_TIME;
                    let t = c.time(false)?;
                    if !c.done() {
                        return None;
                    }
                    t
                };
                let (a, b) = (first.0, second);
                if sep == b'.' {
                    scan.shapes |= SHAPE_DOT;
                    return Some(civil_days(year, b, a)? * 86_400 + secs);
                }
                scan.shapes |= SHAPE_SLASH;
                let (month_first, day_first) = (civil_days(year, a, b), civil_days(year, b, a));
                match self.day_first {
                    Some(true) => return Some(day_first? * 86_400 + secs),
                    Some(false) => return Some(month_first? * 86_400 + secs),
                    None => {}
                }
                match (month_first, day_first) {
                    (None, None) => None,
                    (Some(d), None) => {
                        scan.second_over_12.get_or_insert(line);
                        Some(d * 86_400 + secs)
                    }
                    (None, Some(d)) => {
                        scan.first_over_12.get_or_insert(line);
                        Some(d * 86_400 + secs)
                    }
                    (Some(_), Some(_)) if a == b => Some(civil_days(year, a, a)? * 86_400 + secs),
                    (Some(_), Some(_)) => {
                        scan.ambiguous_seen.get_or_insert(line);
                        Some(PENDING | year << 27 | (a as i64) << 22 | (b as i64) << 17 | secs)
                    }
                }
            }
            _ => None,
        }
    }
}

/// A value from [`DateParser::parse`] with the order decided: pending `a/b/YYYY` dates
/// become Unix seconds, others are returned as they are.
#[inline]
pub(crate) fn resolve(value: i64, day_first: bool) -> i64 {
    if value & PENDING == 0 || value < 0 {
        return value;
    }
    let secs = value & 0x1_FFFF;
    let b = ((value >> 17) & 31) as u32;
    let a = ((value >> 22) & 31) as u32;
    let year = (value >> 27) & 0x3FFF;
    let (month, day) = if day_first { (b, a) } else { (a, b) };
    // Both readings were checked to be valid dates when the value was made.
    civil_days(year, month, day).unwrap_or(0) * 86_400 + secs
}

/// True when a value is still pending.
#[inline]
pub(crate) fn is_pending(value: i64) -> bool {
    value >= 0 && value & PENDING != 0
}

/// Days from 1970-01-01 to a valid date, `None` for an invalid one (the usual
/// civil-calendar arithmetic over 400-year eras).
pub(crate) fn civil_days(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = month as i64;
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    #[inline]
    fn done(&self) -> bool {
        self.i == self.s.len()
    }

    #[inline]
    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.i += 1)
    }

    /// `min..=max` digits: their value and count.
    #[inline]
    fn digits(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let (mut v, mut n) = (0u32, 0usize);
        while n < max {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    v = v * 10 + (b - b'0') as u32;
                    n += 1;
                    self.i += 1;
                }
                _ => break,
            }
        }
        (n >= min).then_some((v, n))
    }

    /// `H:MM[:SS[.fff]]` (two-digit hour when `iso`): seconds of the day.
    fn time(&mut self, iso: bool) -> Option<i64> {
        let h = self.digits(if iso { 2 } else { 1 }, 2)?.0;
        self.expect(b':')?;
        let m = self.digits(2, 2)?.0;
        let mut s = 0;
        if self.peek() == Some(b':') {
            self.i += 1;
            s = self.digits(2, 2)?.0;
            if matches!(self.peek(), Some(b'.' | b',')) {
                self.i += 1;
                self.digits(1, 9)?;
            }
        }
        (h < 24 && m < 60 && s < 60).then_some((h * 3600 + m * 60 + s) as i64)
    }

    /// An ISO offset at the end (`Z`, `+HH:MM`, `+HHMM`, `+HH`, or nothing = UTC): seconds
    /// east of UTC.
    fn offset(&mut self) -> Option<i64> {
        let sign = match self.peek() {
            None => return Some(0),
            Some(b'Z' | b'z') => {
                self.i += 1;
                return self.done().then_some(0);
            }
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        self.i += 1;
        let h = self.digits(2, 2)?.0 as i64;
        if self.peek() == Some(b':') {
            self.i += 1;
        }
        let m = if self.done() { 0 } else { self.digits(2, 2)?.0 as i64 };
        (self.done() && h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::date_to_seconds;
    use chrono::NaiveDate;

    fn secs(y: i32, m: u32, d: u32) -> i64 {
        date_to_seconds(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn parse(s: &str, day_first: Option<bool>) -> Option<i64> {
        DateParser { day_first, formats: &[] }.parse(s.as_bytes(), 2, &mut DateScan::default())
    }

    #[test]
    fn civil_days_match_chrono() {
        for (y, m, d) in [(1970, 1, 1), (2024, 2, 29), (1969, 12, 31), (2000, 3, 1), (1600, 2, 29), (9999, 12, 31)] {
            assert_eq!(civil_days(y as i64, m, d).unwrap() * 86_400, secs(y, m, d));
        }
        assert_eq!(civil_days(2023, 2, 29), None);
        assert_eq!(civil_days(2024, 4, 31), None);
    }

    #[test]
    fn iso_shapes() {
        let d = secs(2024, 3, 1);
        assert_eq!(parse("2024-03-01", None), Some(d));
        assert_eq!(parse("2024-03-01 10:00", None), Some(d + 36_000));
        assert_eq!(parse("2024-03-01T10:00:30", None), Some(d + 36_030));
        assert_eq!(parse("2024-03-01T10:00:30.250", None), Some(d + 36_030));
        assert_eq!(parse("2024-03-01T10:00:00Z", None), Some(d + 36_000));
        assert_eq!(parse("2024-03-01T10:00:00+01:00", None), Some(d + 32_400));
        assert_eq!(parse("2024-03-01T10:00:00-0230", None), Some(d + 45_000));
        assert_eq!(parse("2024-02-30", None), None);
        assert_eq!(parse("2024-3-1", None), None);
        assert_eq!(parse("2024-03-01 25:00", None), None);
        assert_eq!(parse("2024-03-01x", None), None);
        assert_eq!(parse("yesterday", None), None);
        assert_eq!(parse("", None), None);
    }

    #[test]
    fn dotted_and_slashed() {
        assert_eq!(parse("5.1.2024", None), Some(secs(2024, 1, 5)));
        assert_eq!(parse("05.01.2024 13:30", None), Some(secs(2024, 1, 5) + 48_600));
        assert_eq!(parse("12/1/2010 8:26", Some(false)), Some(secs(2010, 12, 1) + 8 * 3600 + 26 * 60));
        assert_eq!(parse("12/1/2010 8:26", Some(true)), Some(secs(2010, 1, 12) + 8 * 3600 + 26 * 60));
        assert_eq!(parse("12/13/2010", None), Some(secs(2010, 12, 13)));
        assert_eq!(parse("13/12/2010", None), Some(secs(2010, 12, 13)));
        assert_eq!(parse("13/13/2010", None), None);
        assert_eq!(parse("2/30/2010", None), None);
        assert_eq!(parse("1/2/10", None), None);
    }

    #[test]
    fn the_order_is_decided_over_the_file() {
        let p = DateParser { day_first: None, formats: &[] };
        let mut scan = DateScan::default();
        let pending = p.parse(b"3/4/2024 10:05", 2, &mut scan).unwrap();
        assert!(is_pending(pending));
        assert!(scan.day_first(None).unwrap_err().contains("day_first"));
        let mut later = DateScan::default();
        p.parse(b"3/14/2024", 5, &mut later).unwrap();
        scan.merge(&later, 10);
        assert_eq!(scan.second_over_12, Some(15));
        assert_eq!(scan.day_first(None), Ok(Some(false)));
        assert_eq!(resolve(pending, false), secs(2024, 3, 4) + 36_300);
        assert_eq!(resolve(pending, true), secs(2024, 4, 3) + 36_300);
        p.parse(b"14/3/2024", 9, &mut scan).unwrap();
        assert!(scan.day_first(None).unwrap_err().contains("line 9"));
        assert_eq!(resolve(-5, true), -5);
    }
}
