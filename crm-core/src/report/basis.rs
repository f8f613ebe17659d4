//! What each figure of the report rests on, and whether it is measurable at all.
//!
//! A figure is withheld (not printed, `None` in the JSON) when the history cannot support
//! it; a caveat then says which figure and why. A figure that rests on very few customers
//! is printed with a caveat that is not a withholding.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Fewer lost customers than this make an estimated duration (base / lost per year) a thin
/// basis: printed, with a caveat.
pub const THIN_LOST: u64 = 10;

/// One note about a figure: why it is not measurable (withheld) or why it should be read
/// with care.
///
/// ```
/// use crm_core::report::Caveat;
/// let c = Caveat::withheld("churn rate", "the history starts 2024-01-01");
/// assert!(c.withheld && c.to_string().starts_with("not yet measurable: churn rate"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caveat {
    /// The figure concerned (e.g. "average duration").
    pub figure: String,
    /// Why, in words.
    pub reason: String,
    /// True when the figure is not printed; false when it is printed on a thin basis.
    pub withheld: bool,
}

impl Caveat {
    /// A figure that is not printed.
    pub fn withheld(figure: impl Into<String>, reason: impl Into<String>) -> Self {
        Caveat { figure: figure.into(), reason: reason.into(), withheld: true }
    }

    /// A figure printed on a thin basis.
    pub fn thin(figure: impl Into<String>, reason: impl Into<String>) -> Self {
        Caveat { figure: figure.into(), reason: reason.into(), withheld: false }
    }
}

impl std::fmt::Display for Caveat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lead = if self.withheld { "not yet measurable" } else { "read with care" };
        write!(f, "{lead}: {}: {}", self.figure, self.reason)
    }
}

/// The history the report rests on and the dates its figures need.
///
/// The rules (`inactivity` = the lifecycle's inactivity window in days):
/// - flows of the last twelve months (and their monthly and quarterly series, churn,
///   retention, average duration) need history from `flow start - inactivity`: before
///   that, every customer looks new and nobody can have been lost;
/// - the lifecycle stages "lost" and "won back" need more than `inactivity` days of
///   history up to the as-of date (a customer whose only purchase is on the first day is
///   lost only once `inactivity` days have passed after it);
/// - migration from a year ago needs the segment window before the year-ago date
///   (`year ago - window + 1`; all history: any history before it);
/// - the average duration needs lost customers (and is thin below [`THIN_LOST`]);
/// - CLV rests on the duration: withheld when the duration is, unless configured.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::report::Basis;
/// let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// // One year of history (2010-12-01 .. 2011-12-09) and a 365-day inactivity window.
/// let b = Basis::new(Some(d("2010-12-01")), d("2011-12-09"), 365, Some(365));
/// assert_eq!(b.flows_start, d("2010-12-10"));
/// assert_eq!(b.flows_need_history_from, d("2009-12-10"));
/// assert!(!b.flows_measurable() && !b.migration_measurable());
/// // 374 days of history: enough to tell who has not bought for 365 days.
/// assert!(b.lost_measurable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// The day of the base's first transaction (`None`: no transactions).
    pub history_starts: Option<NaiveDate>,
    /// The as-of date (the last day counted).
    pub as_of: NaiveDate,
    /// Days of history up to the as-of date, both ends counted (0 without history).
    pub history_days: i64,
    /// The inactivity window in days (lost after this many days without a purchase).
    pub inactivity_days: u32,
    /// First day of the twelve-month flow period (the day after the year-ago date).
    pub flows_start: NaiveDate,
    /// The flows need history from this day.
    pub flows_need_history_from: NaiveDate,
    /// The year-ago date migration starts from.
    pub migration_from: NaiveDate,
    /// Migration needs history from this day.
    pub migration_needs_history_from: NaiveDate,
}

impl Basis {
    /// The basis of a report as of `as_of` over a history starting on `history_starts`, with
    /// the inactivity window and the segment window (`None`: all history).
    pub fn new(
        history_starts: Option<NaiveDate>,
        as_of: NaiveDate,
        inactivity_days: u32,
        segment_window_days: Option<u32>,
    ) -> Self {
        let year_ago = as_of - chrono::Months::new(12);
        let flows_start = year_ago + Days::new(1);
        let migration_needs_history_from = match segment_window_days {
            Some(w) => year_ago - Days::new(u64::from(w.max(1)) - 1),
            None => year_ago,
        };
        Basis {
            history_starts,
            as_of,
            history_days: history_starts.map_or(0, |s| (as_of - s).num_days() + 1).max(0),
            inactivity_days,
            flows_start,
            flows_need_history_from: flows_start - Days::new(u64::from(inactivity_days)),
            migration_from: year_ago,
            migration_needs_history_from,
        }
    }

    fn starts_by(&self, day: NaiveDate) -> bool {
        self.history_starts.is_some_and(|s| s <= day)
    }

    /// True when the flows of the last twelve months can be measured.
    pub fn flows_measurable(&self) -> bool {
        self.starts_by(self.flows_need_history_from)
    }

    /// True when the stages "lost" and "won back" can be told.
    pub fn lost_measurable(&self) -> bool {
        self.history_days > i64::from(self.inactivity_days)
    }

    /// True when migration from a year ago can be measured.
    pub fn migration_measurable(&self) -> bool {
        self.starts_by(self.migration_needs_history_from)
    }

    /// Why history-bound figures are withheld, in words.
    pub(crate) fn short_history(&self, needs_from: NaiveDate, what: &str) -> String {
        match self.history_starts {
            None => "the base has no transactions".into(),
            Some(s) => format!("the history starts {s}; {what} needs history from {needs_from}"),
        }
    }
}
