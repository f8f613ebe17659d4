//! Dates and times. Timestamps are Unix seconds (UTC); analyses work in whole days.
//!
//! # Supported dates
//!
//! Input dates and timestamps must lie in the years [`MIN_YEAR`]..=[`MAX_YEAR`]
//! (1000-01-01 00:00:00 to 9999-12-31 23:59:59 UTC); a base refuses any other with the row
//! and column named, so that no day number can wrap.
//!
//! An analysis "as of" a date sees the state at the end of that day: a transaction on the
//! as-of date counts, one on the next day does not.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;
/// Days in an average (Julian) year, used to turn day spans into years.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// Days since 1970-01-01 (negative before).
pub type Day = i32;

/// First year of the supported dates.
pub const MIN_YEAR: i32 = 1000;
/// Last year of the supported dates.
pub const MAX_YEAR: i32 = 9999;
/// First supported timestamp: 1000-01-01 00:00:00 UTC.
pub const MIN_TIMESTAMP: i64 = -354_285 * SECONDS_PER_DAY;
/// Last supported timestamp: 9999-12-31 23:59:59 UTC.
pub const MAX_TIMESTAMP: i64 = 2_932_897 * SECONDS_PER_DAY - 1;

/// Checks that every time of a column (in any unit) is a supported date (see the module
/// docs); the error names the first row outside.
pub(crate) fn check_timestamps(column: &str, times: crate::Instants<'_>) -> crate::Result<()> {
    match times.first_unsupported() {
        None => Ok(()),
        Some((row, seconds)) => Err(crate::Error::invalid(row, column, out_of_range(seconds))),
    }
}

/// Checks that a date is a supported date (see the module docs).
pub(crate) fn check_date(row: usize, column: &str, date: NaiveDate) -> crate::Result<()> {
    if (MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(&date)) {
        Ok(())
    } else {
        Err(crate::Error::invalid(
            row,
            column,
            format!("{date} is outside the supported years {MIN_YEAR}..={MAX_YEAR}"),
        ))
    }
}

/// Longest span a day-count setting may have: 36 500 days (100 years). Every day count of
/// a config (`inactivity_days`, `window_days`, `horizon_days`, ...) lies in `1..=MAX_DAYS`,
/// or `0..=MAX_DAYS` where 0 has a meaning (a dialog `days` after its trigger).
pub const MAX_DAYS: u32 = 36_500;

/// Most periods a series or a projection may have: 1 200 (100 years of months). Checked
/// before anything is allocated.
pub const MAX_PERIODS: usize = 1_200;

/// Checks a period count: `1..=MAX_PERIODS`, the error naming `field`.
pub(crate) fn check_periods(field: &str, periods: usize) -> crate::Result<()> {
    if (1..=MAX_PERIODS).contains(&periods) {
        Ok(())
    } else {
        Err(crate::Error::config(field, format!("{periods} periods is not in 1..={MAX_PERIODS}")))
    }
}

/// Checks a day-count setting: `min..=MAX_DAYS`, the error naming `field`.
pub(crate) fn check_days(field: &str, days: u32, min: u32) -> crate::Result<()> {
    if (min..=MAX_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(crate::Error::config(field, format!("{days} days is not in {min}..={MAX_DAYS} (100 years)")))
    }
}

/// The message for a timestamp outside the supported dates.
pub fn out_of_range(seconds: i64) -> String {
    format!("timestamp {seconds} s is outside the supported years {MIN_YEAR}..={MAX_YEAR}")
}

/// The day a Unix timestamp (seconds) falls on, in UTC.
///
/// ```
/// assert_eq!(crm_core::time::day_of(86_399), 0);
/// assert_eq!(crm_core::time::day_of(-1), -1);
/// ```
#[inline]
pub fn day_of(seconds: i64) -> Day {
    seconds.div_euclid(SECONDS_PER_DAY) as Day
}

/// The first second of a day: `day_of(t) < day` exactly when `t < day_start(day)`, so
/// searches over timestamps compare without dividing.
///
/// ```
/// use crm_core::time::{day_of, day_start};
/// assert_eq!(day_start(1), 86_400);
/// assert_eq!(day_of(day_start(-3)), -3);
/// assert_eq!(day_of(day_start(-3) - 1), -4);
/// ```
#[inline]
pub fn day_start(day: Day) -> i64 {
    day as i64 * SECONDS_PER_DAY
}

/// The day number of a date.
///
/// ```
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
/// assert_eq!(crm_core::time::date_to_day(d), 1);
/// ```
pub fn date_to_day(date: NaiveDate) -> Day {
    chrono::Datelike::num_days_from_ce(&date) - UNIX_EPOCH_FROM_CE
}

/// 1970-01-01 counted in days from 0001-01-01 (day 1).
const UNIX_EPOCH_FROM_CE: i32 = 719_163;

/// The date of a day number.
pub fn day_to_date(day: Day) -> NaiveDate {
    day.checked_add(UNIX_EPOCH_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .expect("day number within chrono's date range")
}

/// Unix seconds at the start (00:00 UTC) of a date.
pub fn date_to_seconds(date: NaiveDate) -> i64 {
    date_to_day(date) as i64 * SECONDS_PER_DAY
}

/// Parses a timestamp with the given `strftime` formats (tried in order) into Unix seconds.
///
/// A format without a time part is read as a date at 00:00. With no formats, ISO 8601
/// dates (`2024-03-01`), date-times (`2024-03-01T10:00:00`, `2024-03-01 10:00:00`) and
/// RFC 3339 with an offset are accepted.
///
/// ```
/// use crm_core::time::parse_timestamp;
/// assert_eq!(parse_timestamp("1970-01-02", &[]), Some(86_400));
/// assert_eq!(parse_timestamp("02.01.1970", &["%d.%m.%Y".into()]), Some(86_400));
/// assert_eq!(parse_timestamp("1970-01-01T01:00:00+01:00", &[]), Some(0));
/// assert_eq!(parse_timestamp("yesterday", &[]), None);
/// ```
pub fn parse_timestamp(text: &str, formats: &[String]) -> Option<i64> {
    let text = text.trim();
    if formats.is_empty() {
        if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(date_to_seconds(d));
        }
        for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(text, f) {
                return Some(t.and_utc().timestamp());
            }
        }
        return DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp());
    }
    formats.iter().find_map(|f| {
        NaiveDateTime::parse_from_str(text, f)
            .map(|t| t.and_utc().timestamp())
            .or_else(|_| NaiveDate::parse_from_str(text, f).map(date_to_seconds))
            .or_else(|_| DateTime::parse_from_str(text, f).map(|t| t.timestamp()))
            .ok()
    })
}

/// Parses a date (`%Y-%m-%d` unless formats are given).
pub fn parse_date(text: &str, formats: &[String]) -> Option<NaiveDate> {
    parse_timestamp(text, formats).map(|s| day_to_date(day_of(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_from_1970() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(day_to_date(0), ymd(1970, 1, 1));
        assert_eq!(day_to_date(-1), ymd(1969, 12, 31));
        assert_eq!(date_to_day(ymd(2024, 2, 29)), 19_782);
        assert_eq!(date_to_day(ymd(1, 1, 1)), -719_162);
        assert_eq!(day_of(MIN_TIMESTAMP), date_to_day(ymd(MIN_YEAR, 1, 1)));
        assert_eq!(day_of(MAX_TIMESTAMP), date_to_day(ymd(MAX_YEAR, 12, 31)));
        assert_eq!(day_of(MAX_TIMESTAMP + 1), date_to_day(ymd(MAX_YEAR + 1, 1, 1)));
        for day in (-800_000..800_000).step_by(997) {
            assert_eq!(date_to_day(day_to_date(day)), day);
            assert_eq!(day_to_date(day), NaiveDate::default() + chrono::TimeDelta::days(day as i64));
        }
    }
}
