//! Dates as `int32_t` days since 1970-01-01, and helpers to convert calendar dates.

use crate::error::{Failure, crm_result};
use crate::ptr::{optional_out, out, put, utf8};
use chrono::{Datelike, NaiveDate, TimeDelta};
use std::ffi::c_char;

/// A missing date (INT32_MIN), e.g. the first purchase of a customer who never bought.
pub const CRM_NO_DATE: i32 = -2147483647 - 1;

/// The date of a day number given by C (`name` is the argument, for the detail).
pub(crate) fn date_of(day: i32, name: &str) -> Result<NaiveDate, Failure> {
    if day == CRM_NO_DATE {
        return Err(Failure::new(crm_result::InvalidArgument, format!("`{name}` is CRM_NO_DATE")));
    }
    NaiveDate::default().checked_add_signed(TimeDelta::days(day.into())).ok_or_else(|| {
        Failure::new(crm_result::InvalidArgument, format!("`{name}` = {day} days is outside the supported dates"))
    })
}

/// The day number of a date.
pub(crate) fn day_of(date: NaiveDate) -> i32 {
    crm_core::time::date_to_day(date)
}

/// The day number of an optional date (`CRM_NO_DATE` for none).
pub(crate) fn day_or_none(date: Option<NaiveDate>) -> i32 {
    date.map_or(CRM_NO_DATE, day_of)
}

/// The day number (days since 1970-01-01) of a calendar date, e.g. 2024-12-31 -> 20088.
/// `CRM_RESULT_INVALID_ARGUMENT` for a date that does not exist (2023-02-29).
#[unsafe(no_mangle)]
pub extern "C" fn crm_date_from_ymd(year: i32, month: u32, day: u32, out_day: *mut i32) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_day` is NULL or writable (header contract).
        let out_day = unsafe { out(out_day, "out_day") }?;
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
            Failure::new(crm_result::InvalidArgument, format!("{year:04}-{month:02}-{day:02} is not a date"))
        })?;
        out_day.write(day_of(date));
        Ok(())
    }
}

/// The calendar date of a day number. Each out-parameter may be NULL when not wanted.
#[unsafe(no_mangle)]
pub extern "C" fn crm_date_to_ymd(day: i32, out_year: *mut i32, out_month: *mut u32, out_mday: *mut u32) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: each pointer is NULL or writable (header contract).
        let (year, month, mday) = unsafe {
            (optional_out(out_year, "out_year")?, optional_out(out_month, "out_month")?, optional_out(out_mday, "out_mday")?)
        };
        let date = date_of(day, "day")?;
        put(year, date.year());
        put(month, date.month());
        put(mday, date.day());
        Ok(())
    }
}

/// Parses an ISO 8601 date (`2024-03-01`; a date-time gives its day) into a day number.
/// `CRM_RESULT_INVALID_ARGUMENT` when the text is not a date.
#[unsafe(no_mangle)]
pub extern "C" fn crm_date_parse(text: *const c_char, text_len: usize, out_day: *mut i32) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `text` holds `text_len` bytes, `out_day` is NULL or writable (header contract).
        let (text, out_day) = unsafe { (utf8(text, text_len, "text")?, out(out_day, "out_day")?) };
        let date = crm_core::time::parse_date(text, &[]).ok_or_else(|| {
            Failure::new(crm_result::InvalidArgument, format!("`{text}` is not an ISO 8601 date"))
        })?;
        out_day.write(day_of(date));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut d = 0;
        assert_eq!(crm_date_from_ymd(2024, 12, 31, &mut d), crm_result::Ok);
        assert_eq!(d, 20088);
        let (mut y, mut m, mut md) = (0, 0, 0);
        assert_eq!(crm_date_to_ymd(d, &mut y, &mut m, &mut md), crm_result::Ok);
        assert_eq!((y, m, md), (2024, 12, 31));
        assert_eq!(crm_date_from_ymd(2023, 2, 29, &mut d), crm_result::InvalidArgument);
        assert_eq!(d, 20088, "not written on failure");
        assert_eq!(crm_date_to_ymd(CRM_NO_DATE, &mut y, &mut m, &mut md), crm_result::InvalidArgument);
        let text = "1970-01-02";
        assert_eq!(crm_date_parse(text.as_ptr().cast(), text.len(), &mut d), crm_result::Ok);
        assert_eq!(d, 1);
    }
}
