//! The enumerations of the C face. Codes equal crm-core's and are never renumbered.
//!
//! In C each is a `uint8_t` with named constants. The library only writes them; where a
//! caller passes one in (a function argument or config field), it is read as a plain
//! integer and checked, so an unknown code is `CRM_RESULT_INVALID_ARGUMENT` (or
//! `CRM_RESULT_INVALID_CONFIG` / `CRM_RESULT_INVALID_VALUE`), never undefined behaviour.

use crate::error::{Failure, crm_result};
use crm_core::{
    AbcClass, Channel, Direction, DurationBase, LifecycleStage, Period, PyramidLevel, ValueMeasure, ValueSegment,
};

/// A contact channel (of interactions and marketing permissions).
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_channel {
    /// E-mail.
    Email = 0,
    /// Letter, direct mail.
    Letter = 1,
    /// Telephone.
    Phone = 2,
    /// Web site.
    Web = 3,
    /// Fax.
    Fax = 4,
    /// Personal meeting.
    Meeting = 5,
    /// Call centre.
    CallCentre = 6,
    /// Retail store.
    Retail = 7,
    /// Field sales and service staff.
    Field = 8,
    /// Agents and distributors.
    Agent = 9,
    /// Events and trade fairs.
    Event = 10,
    /// Anything else.
    Other = 11,
}

/// Who started an interaction.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_direction {
    /// The customer contacted the company.
    Inbound = 0,
    /// The company contacted the customer.
    Outbound = 1,
}

/// How the times of a transaction batch are given.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_time_unit {
    /// Unix seconds (UTC).
    Seconds = 0,
    /// Days since 1970-01-01 (a transaction at midnight UTC).
    Days = 1,
}

/// The kind of customer ids: of a base, or how a CSV file's ids are read.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_id_kind {
    /// CSV only: integers when every id is a plain integer, else strings.
    Auto = 0,
    /// Integer ids (`int64_t`).
    Int = 1,
    /// String ids (UTF-8).
    Str = 2,
}

/// What a CSV reader does with a row that has a bad value.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_on_error {
    /// Refuse the file (`CRM_RESULT_CSV`); the detail lists every problem.
    Fail = 0,
    /// Load the good rows; the report counts the rejected ones.
    Skip = 1,
}

/// A text field of a customer.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_customer_field {
    /// Name (person or company).
    Name = 0,
    /// E-mail address.
    Email = 1,
    /// Telephone number.
    Phone = 2,
    /// Postal address.
    Address = 3,
    /// Industry.
    Industry = 4,
    /// Customer category.
    Category = 5,
    /// Channel the customer was acquired through (free text).
    AcquisitionChannel = 6,
}

/// The type of a free customer attribute.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_attribute_kind {
    /// The customer has no such attribute.
    None = 0,
    /// A flag (`flag`).
    Bool = 1,
    /// A number (`number`).
    Number = 2,
    /// A date (`date`, days since 1970-01-01).
    Date = 3,
    /// Text (`text`, `text_len`).
    Text = 4,
}

/// A lifecycle stage (see crm-core `lifecycle` for the rules and their precedence).
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_lifecycle_stage {
    /// Known, has not bought yet.
    Prospect = 0,
    /// First purchase recently.
    New = 1,
    /// One purchase, no repeat.
    Starter = 2,
    /// Repeat buyer.
    Active = 3,
    /// Repeat buyer who buys less than before.
    Declining = 4,
    /// No purchase within the inactivity window.
    Lost = 5,
    /// Came back after a dormant spell shorter than the inactivity window.
    Reactivated = 6,
    /// Came back after having been lost.
    WonBack = 7,
}

/// Number of lifecycle stages (the length of `crm_lifecycle_copy_counts`' array).
pub const CRM_LIFECYCLE_STAGES: usize = 8;

/// What value segments rank customers by.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_value_measure {
    /// Net revenue.
    Revenue = 0,
    /// Net margin (needs margins).
    Margin = 1,
    /// Margin minus cost to serve (needs margins).
    Profit = 2,
}

/// Top / middle / bottom value segment.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_value_segment {
    /// The top share (default 20 %).
    Top = 0,
    /// The middle share (default 50 %).
    Middle = 1,
    /// The bottom share (default 30 %).
    Bottom = 2,
    /// Not ranked: no transaction in the value window.
    Unranked = 255,
}

/// ABC class by cumulative value share.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_abc_class {
    /// The first 80 % of value.
    A = 0,
    /// The next 15 %.
    B = 1,
    /// The rest, and every customer with value <= 0.
    C = 2,
    /// Not ranked: no transaction in the value window.
    Unranked = 255,
}

/// A layer of the customer pyramid.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_pyramid_level {
    /// Top customers.
    Top = 0,
    /// Large customers.
    Large = 1,
    /// Medium customers.
    Medium = 2,
    /// Small customers.
    Small = 3,
    /// Bought before, not in the value window.
    Inactive = 4,
    /// Never bought.
    Prospect = 5,
}

/// Which table of a `crm_segments` result.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_segment_table {
    /// Top, middle, bottom (3 rows; shares of ranked customers).
    Value = 0,
    /// A, B, C (3 rows; shares of ranked customers).
    Abc = 1,
    /// Top, large, medium, small, inactive, prospect (6 rows; shares of all customers).
    Pyramid = 2,
}

/// Which base the average duration of a flow report divides by.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_duration_base {
    /// The base at the start of the period.
    Start = 0,
    /// The base at the end of the period.
    End = 1,
    /// The mean of the two.
    Average = 2,
}

/// The calendar length of the periods of a flow series.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_period {
    /// Calendar months (month ends clamp: Jan 31 + 1 month = Feb 28/29).
    Month = 0,
    /// Three months.
    Quarter = 1,
    /// Twelve months.
    Year = 2,
}

/// Which group table of a `crm_clv` result.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_clv_table {
    /// Top, middle, bottom value segment (3 rows; customers in the base).
    Segment = 0,
    /// One row per acquisition channel, in name order (customers in the base with a known
    /// channel).
    Channel = 1,
    /// One row: the whole portfolio (customers in the base).
    Portfolio = 2,
}

/// Which list of a `crm_due_actions` result.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_action_list {
    /// Actions to carry out.
    Due = 0,
    /// Actions not allowed: the customer has no marketing permission for the channel.
    Blocked = 1,
}

/// The kind of a process KPI.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_kpi_kind {
    /// Share of a dialog's triggers carried out within N days (target: at least).
    DoneWithin = 0,
    /// Share of dialogs carried out that got a response (target: at least).
    ResponseRate = 1,
    /// Share of "will come" answers without attendance (target: at most).
    NoShowRate = 2,
}

fn unknown(what: &str, code: u8) -> Failure {
    Failure::new(crm_result::InvalidArgument, format!("{code} is not a {what} code"))
}

/// A channel code from C.
pub(crate) fn channel(code: u8) -> Result<Channel, Failure> {
    Channel::from_code(code).ok_or_else(|| unknown("crm_channel", code))
}

/// A direction code from C.
pub(crate) fn direction(code: u8) -> Result<Direction, Failure> {
    match code {
        0 => Ok(Direction::Inbound),
        1 => Ok(Direction::Outbound),
        _ => Err(unknown("crm_direction", code)),
    }
}

/// A time unit code from C.
pub(crate) fn time_unit(code: u8) -> Result<crm_time_unit, Failure> {
    match code {
        0 => Ok(crm_time_unit::Seconds),
        1 => Ok(crm_time_unit::Days),
        _ => Err(unknown("crm_time_unit", code)),
    }
}

/// A customer field code from C.
pub(crate) fn customer_field(code: u8) -> Result<crm_customer_field, Failure> {
    use crm_customer_field::*;
    [Name, Email, Phone, Address, Industry, Category, AcquisitionChannel]
        .get(code as usize)
        .copied()
        .ok_or_else(|| unknown("crm_customer_field", code))
}

/// A lifecycle stage code from C.
pub(crate) fn stage_code(code: u8) -> Result<LifecycleStage, Failure> {
    LifecycleStage::ALL.get(code as usize).copied().ok_or_else(|| unknown("crm_lifecycle_stage", code))
}

/// A segment table code from C.
pub(crate) fn segment_table(code: u8) -> Result<crm_segment_table, Failure> {
    match code {
        0 => Ok(crm_segment_table::Value),
        1 => Ok(crm_segment_table::Abc),
        2 => Ok(crm_segment_table::Pyramid),
        _ => Err(unknown("crm_segment_table", code)),
    }
}

/// A value measure code from a config.
pub(crate) fn measure(code: u8) -> Result<ValueMeasure, Failure> {
    match code {
        0 => Ok(ValueMeasure::Revenue),
        1 => Ok(ValueMeasure::Margin),
        2 => Ok(ValueMeasure::Profit),
        _ => Err(Failure::from(crm_core::Error::InvalidConfig {
            field: "measure".into(),
            message: format!("{code} is not a crm_value_measure code"),
        })),
    }
}

/// A duration base code from a config.
pub(crate) fn duration_base(code: u8) -> Result<DurationBase, Failure> {
    match code {
        0 => Ok(DurationBase::Start),
        1 => Ok(DurationBase::End),
        2 => Ok(DurationBase::Average),
        _ => Err(Failure::from(crm_core::Error::InvalidConfig {
            field: "duration_base".into(),
            message: format!("{code} is not a crm_duration_base code"),
        })),
    }
}

impl From<DurationBase> for crm_duration_base {
    fn from(d: DurationBase) -> Self {
        match d {
            DurationBase::Start => crm_duration_base::Start,
            DurationBase::End => crm_duration_base::End,
            DurationBase::Average => crm_duration_base::Average,
        }
    }
}

/// A period code from C.
pub(crate) fn period(code: u8) -> Result<Period, Failure> {
    match code {
        0 => Ok(Period::Month),
        1 => Ok(Period::Quarter),
        2 => Ok(Period::Year),
        _ => Err(unknown("crm_period", code)),
    }
}

/// A CLV table code from C.
pub(crate) fn clv_table(code: u8) -> Result<crm_clv_table, Failure> {
    match code {
        0 => Ok(crm_clv_table::Segment),
        1 => Ok(crm_clv_table::Channel),
        2 => Ok(crm_clv_table::Portfolio),
        _ => Err(unknown("crm_clv_table", code)),
    }
}

/// An action list code from C.
pub(crate) fn action_list(code: u8) -> Result<crm_action_list, Failure> {
    match code {
        0 => Ok(crm_action_list::Due),
        1 => Ok(crm_action_list::Blocked),
        _ => Err(unknown("crm_action_list", code)),
    }
}

impl From<Channel> for crm_channel {
    fn from(c: Channel) -> Self {
        use crm_channel::*;
        [Email, Letter, Phone, Web, Fax, Meeting, CallCentre, Retail, Field, Agent, Event, Other][c as usize]
    }
}

impl From<LifecycleStage> for crm_lifecycle_stage {
    fn from(s: LifecycleStage) -> Self {
        use crm_lifecycle_stage::*;
        [Prospect, New, Starter, Active, Declining, Lost, Reactivated, WonBack][s as usize]
    }
}

impl From<Option<ValueSegment>> for crm_value_segment {
    fn from(s: Option<ValueSegment>) -> Self {
        match s {
            Some(ValueSegment::Top) => crm_value_segment::Top,
            Some(ValueSegment::Middle) => crm_value_segment::Middle,
            Some(ValueSegment::Bottom) => crm_value_segment::Bottom,
            None => crm_value_segment::Unranked,
        }
    }
}

impl From<Option<AbcClass>> for crm_abc_class {
    fn from(s: Option<AbcClass>) -> Self {
        match s {
            Some(AbcClass::A) => crm_abc_class::A,
            Some(AbcClass::B) => crm_abc_class::B,
            Some(AbcClass::C) => crm_abc_class::C,
            None => crm_abc_class::Unranked,
        }
    }
}

impl From<PyramidLevel> for crm_pyramid_level {
    fn from(p: PyramidLevel) -> Self {
        use crm_pyramid_level::*;
        [Top, Large, Medium, Small, Inactive, Prospect][p as usize]
    }
}

/// The snake_case name of a lifecycle stage ("prospect", ..., "won_back") as a static,
/// NUL-terminated string; NULL for an unknown code.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_stage_name(stage: u8) -> *const std::ffi::c_char {
    ffi_boundary! {
        const NAMES: [&str; 8] =
            ["prospect\0", "new\0", "starter\0", "active\0", "declining\0", "lost\0", "reactivated\0", "won_back\0"];
        NAMES.get(stage as usize).map_or(std::ptr::null(), |n| n.as_ptr().cast())
    }
}

/// The snake_case name of a channel ("email", ..., "call_centre", ...) as a static,
/// NUL-terminated string; NULL for an unknown code.
#[unsafe(no_mangle)]
pub extern "C" fn crm_channel_name(channel: u8) -> *const std::ffi::c_char {
    ffi_boundary! {
        const NAMES: [&str; 12] = [
            "email\0", "letter\0", "phone\0", "web\0", "fax\0", "meeting\0", "call_centre\0", "retail\0", "field\0",
            "agent\0", "event\0", "other\0",
        ];
        NAMES.get(channel as usize).map_or(std::ptr::null(), |n| n.as_ptr().cast())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn names_and_codes_agree_with_the_core() {
        for s in LifecycleStage::ALL {
            let name = unsafe { CStr::from_ptr(crm_lifecycle_stage_name(s as u8)) };
            assert_eq!(name.to_str().unwrap(), s.name());
            assert_eq!(crm_lifecycle_stage::from(s) as u8, s as u8);
            assert_eq!(stage_code(s as u8).unwrap(), s);
        }
        for c in Channel::ALL {
            let name = unsafe { CStr::from_ptr(crm_channel_name(c as u8)) };
            assert_eq!(name.to_str().unwrap(), c.name());
            assert_eq!(crm_channel::from(c) as u8, c as u8);
        }
        assert!(crm_lifecycle_stage_name(8).is_null());
        assert_eq!(channel(12).unwrap_err().code, crm_result::InvalidArgument);
        for p in [PyramidLevel::Top, PyramidLevel::Inactive, PyramidLevel::Prospect] {
            assert_eq!(crm_pyramid_level::from(p) as u8, p as u8);
        }
    }
}
