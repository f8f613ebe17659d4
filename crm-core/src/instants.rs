//! Transaction times as hosts hold them (Arrow's dates and timestamps, numpy's datetimes,
//! a C caller's seconds or days), read as Unix seconds by one rule: counts of a sub-second
//! unit are floored to the second (before 1970 too), days are their midnight (UTC).

use crate::parallel::first_failing;
use crate::time::{MAX_TIMESTAMP, MIN_TIMESTAMP};

/// A column of times in a host's unit, read in place.
///
/// Every value is a time: a host with a "missing" marker among its values must not pass
/// them here. pandas' `NaT` is `i64::MIN` nanoseconds, which reads as 1677-09-21 00:12:43,
/// a supported date, so nothing downstream could tell it from a real purchase. The Python
/// face sends columns with nulls (which is how pandas hands `NaT` over to Arrow) through
/// its conversion instead, whose error names the row of the missing date.
///
/// ```
/// use crm_core::Instants;
/// let mut seconds = Vec::new();
/// Instants::Millis(&[1_500, -1]).append_seconds(&mut seconds);
/// Instants::Days(&[1]).append_seconds(&mut seconds);
/// assert_eq!(seconds, [1, -1, 86_400]);
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Instants<'a> {
    /// Unix seconds.
    Seconds(&'a [i64]),
    /// Milliseconds since 1970-01-01 00:00 UTC (Arrow's date64 too).
    Millis(&'a [i64]),
    /// Microseconds since 1970-01-01 00:00 UTC.
    Micros(&'a [i64]),
    /// Nanoseconds since 1970-01-01 00:00 UTC.
    Nanos(&'a [i64]),
    /// Days since 1970-01-01 (Arrow's date32).
    Days(&'a [i32]),
    /// Days since 1970-01-01 as 64-bit integers (the C face's days); days whose second
    /// would overflow read as the nearest representable one, outside the supported dates.
    DaysI64(&'a [i64]),
}

/// Runs `$body` with `$v` the slice of an [`Instants`] and `$second` a closure from one
/// of its values (`&T`) to Unix seconds: one monomorphic loop per unit, the unit's divisor
/// a constant.
macro_rules! by_unit {
    ($instants:expr, $v:ident, $second:ident => $body:expr) => {
        match $instants {
            $crate::instants::Instants::Seconds($v) => {
                let $second = |s: &i64| *s;
                $body
            }
            $crate::instants::Instants::Millis($v) => {
                let $second = |x: &i64| x.div_euclid(1_000);
                $body
            }
            $crate::instants::Instants::Micros($v) => {
                let $second = |x: &i64| x.div_euclid(1_000_000);
                $body
            }
            $crate::instants::Instants::Nanos($v) => {
                let $second = |x: &i64| x.div_euclid(1_000_000_000);
                $body
            }
            $crate::instants::Instants::Days($v) => {
                let $second = |d: &i32| *d as i64 * $crate::time::SECONDS_PER_DAY;
                $body
            }
            $crate::instants::Instants::DaysI64($v) => {
                let $second = |d: &i64| d.saturating_mul($crate::time::SECONDS_PER_DAY);
                $body
            }
        }
    };
}
pub(crate) use by_unit;

impl Instants<'_> {
    /// Number of values.
    pub fn len(&self) -> usize {
        by_unit!(*self, v, _second => v.len())
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends every value as Unix seconds.
    pub fn append_seconds(&self, out: &mut Vec<i64>) {
        if let Instants::Seconds(v) = *self {
            return out.extend_from_slice(v);
        }
        by_unit!(*self, v, second => out.extend(v.iter().map(second)))
    }

    /// Whether `rows` (and the row before them) are in time order.
    pub(crate) fn sorted(&self, rows: std::ops::Range<usize>) -> bool {
        let rows = rows.start.saturating_sub(1)..rows.end;
        by_unit!(*self, v, _second => v[rows].is_sorted())
    }

    /// Whether every instant lies within the supported dates (as a base checks them).
    pub(crate) fn supported(&self) -> bool {
        self.first_unsupported().is_none()
    }

    /// The first row outside the supported dates, and its time in Unix seconds.
    pub(crate) fn first_unsupported(&self) -> Option<(usize, i64)> {
        let ok = |s: i64| (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&s);
        by_unit!(*self, v, second => first_failing(v, |x| ok(second(x))).map(|r| (r, second(&v[r]))))
    }

    /// The smallest and largest instant in Unix seconds; `None` when empty. (Every unit
    /// reads as seconds by a rule that keeps the order.)
    pub(crate) fn min_max(&self) -> Option<(i64, i64)> {
        by_unit!(*self, v, second => {
            let parts = crate::parallel::map_pieces(v.len(), |r| (v[r.clone()].iter().min(), v[r].iter().max()));
            let lo = parts.iter().filter_map(|p| p.0).min()?;
            let hi = parts.iter().filter_map(|p| p.1).max()?;
            Some((second(lo), second(hi)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_floors_to_the_second_before_1970_too() {
        let mut out = Vec::new();
        Instants::Seconds(&[-1, 0, 59]).append_seconds(&mut out);
        Instants::Millis(&[-1, 999, 1_000]).append_seconds(&mut out);
        Instants::Micros(&[-1_000_001, 1_999_999]).append_seconds(&mut out);
        Instants::Nanos(&[-1, 2_000_000_000]).append_seconds(&mut out);
        Instants::Days(&[-1, 2]).append_seconds(&mut out);
        Instants::DaysI64(&[-1, 2]).append_seconds(&mut out);
        assert_eq!(out, [-1, 0, 59, -1, 0, 1, -2, 1, -1, 2, -86_400, 172_800, -86_400, 172_800]);
    }

    #[test]
    fn supported_dates_and_order() {
        assert!(Instants::DaysI64(&[0, 1]).supported());
        assert!(!Instants::DaysI64(&[0, i64::MAX / 2]).supported(), "saturates, outside the dates");
        // pandas' NaT as a raw value is a date of 1677: why hosts must not pass it.
        assert!(Instants::Nanos(&[i64::MIN]).supported());
        assert!(!Instants::Seconds(&[MAX_TIMESTAMP + 1]).supported());
        assert!(Instants::Days(&[3, 3, 4]).sorted(0..3));
        assert!(!Instants::Days(&[3, 2, 4]).sorted(1..3), "the row before the range counts");
        assert_eq!(Instants::Micros(&[1, 2]).len(), 2);
        assert!(Instants::Seconds(&[]).is_empty());
    }
}
