//! # crm-core
//!
//! The computing heart of a CRM: it turns customer and transaction data into what drives
//! profit, following the customer-development ("kundutveckling") literature: customer
//! summaries with RFM scores, lifecycle stages, value segments (top 20 % / middle 50 % /
//! bottom 30 %), ABC classes and the customer pyramid.
//!
//! A [`CustomerBase`] is built once from whole columns (or a CSV file); ids are interned
//! to dense indices in ascending id order and transactions are grouped by customer, so
//! every analysis is one pass over contiguous memory and its result does not depend on the
//! order of the input rows.
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::{CustomerBase, LifecycleConfig, SegmentConfig, TransactionColumns};
//!
//! let day = 86_400;
//! let base = CustomerBase::from_transactions(TransactionColumns::new(
//!     vec![1_i64, 1, 2, 3].into(),      // customer ids
//!     vec![0, 30 * day, 10 * day, 0],   // Unix seconds
//!     vec![120.0, 80.0, 50.0, 500.0],   // amounts
//! ))?;
//! let as_of = NaiveDate::from_ymd_opt(1970, 3, 1).unwrap();
//! let summary = base.summary(as_of)?;
//! assert_eq!(summary.purchases[0], 2);
//! let stages = base.lifecycle(as_of, &LifecycleConfig::default())?;
//! let segments = base.segments(as_of, &SegmentConfig::default())?;
//! assert_eq!(segments.segment_table[0].customers, 1); // 20 % of 3, rounded
//! # let _ = stages;
//! # Ok::<(), crm_core::Error>(())
//! ```

// No `unsafe` but one prefetch hint, allowed where it is (`cache`).
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod attribute_columns;
pub mod base;
mod cache;
#[cfg(feature = "cli")]
pub mod cli;
pub mod clv;
pub mod customer;
pub mod definition;
pub mod distributed;
pub mod error;
pub mod flows;
pub mod funnel;
mod grouping;
mod history;
pub mod id;
pub mod ingest;
pub mod instants;
pub mod interaction;
pub mod lifecycle;
pub mod memory;
pub mod migration;
pub mod models;
pub mod nps;
mod parallel;
pub mod process;
pub mod profiles;
pub mod rank;
pub mod report;
mod row_pass;
pub mod sample;
pub mod scoring;
pub mod segments;
pub mod shared;
pub mod stats;
mod store;
pub mod summary;
pub mod time;
pub mod transaction;
pub mod variants;
pub mod wallet;

pub use base::{BuildError, CustomerBase, CustomerBaseBuilder};
pub use clv::{ClvConfig, ClvReport};
pub use customer::{AttributeValue, Channel, Customer, CustomerIndex, Permission};
pub use error::{CsvProblem, Error, ErrorKind, FileLine, Result};
pub use flows::{DurationBase, FlowConfig, FlowReport, Period};
pub use id::{Key, KeyColumn, StrColumn};
pub use instants::Instants;
pub use interaction::{Direction, InteractionColumns, Interactions};
pub use lifecycle::{Lifecycle, LifecycleConfig, LifecycleStage};
pub use migration::MigrationMatrix;
pub use parallel::{fill_pieces, join, threads};
pub use profiles::{ProfileConfig, ProfileGrouping, Profiles};
pub use report::{Report, ReportConfig};
pub use segments::{AbcClass, PyramidLevel, SegmentConfig, SegmentRow, Segments, ValueMeasure, ValueSegment};
pub use summary::{CustomerSummary, Rfm, Summary, SummaryConfig};
pub use transaction::{CustomerTransactions, TransactionColumns, Transactions};
pub use wallet::{Wallet, WalletConfig, WalletSource};

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
