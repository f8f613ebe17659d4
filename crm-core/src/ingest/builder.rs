//! CSV files straight into a [`CustomerBaseBuilder`], remembering the file line of every
//! row, so that an error found when the base is built (an unknown or duplicate customer)
//! names the file and line rather than the row's index among loaded rows.

use super::lines::RowLines;
use super::{CsvReport, CustomerCsv, InteractionCsv, TransactionCsv};
use super::{read_customers_lines, read_interactions_lines, read_transactions_lines};
use crate::base::{CustomerBaseBuilder, IX_CUSTOMER, TX_CUSTOMER};
use crate::error::{Error, FileLine, Result};
use std::path::Path;

/// The tables of a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Customers,
    Transactions,
    Interactions,
}

/// Rows of one table that came from one file.
#[derive(Debug, Clone)]
struct Origin {
    table: Table,
    /// The table's row of the file's first loaded row.
    first_row: usize,
    path: String,
    lines: RowLines,
}

/// The files a builder's rows were read from (empty for rows given as columns).
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins(Vec<Origin>);

impl Origins {
    fn add(&mut self, table: Table, first_row: usize, path: &Path, lines: RowLines) {
        self.0.push(Origin { table, first_row, path: path.display().to_string(), lines });
    }

    /// The file and line of a table's row, when the row was read from a file.
    fn at(&self, table: Table, row: usize) -> Option<Box<FileLine>> {
        self.0
            .iter()
            .filter(|o| o.table == table && row >= o.first_row)
            .find_map(|o| o.lines.line(row - o.first_row).map(|line| Box::new(FileLine { path: o.path.clone(), line })))
    }

    /// The build's error with the file and line of the rows it names (the one place where
    /// rows become lines, for every face).
    pub(crate) fn locate(&self, e: Error) -> Error {
        match e {
            Error::UnknownCustomer { row, column, customer, at: None } => {
                let table = match column.as_str() {
                    IX_CUSTOMER => Table::Interactions,
                    TX_CUSTOMER => Table::Transactions,
                    _ => return Error::UnknownCustomer { row, column, customer, at: None },
                };
                Error::UnknownCustomer { row, at: self.at(table, row), column, customer }
            }
            Error::DuplicateCustomer { row, first_row, customer, at: None, first_at: None } => {
                Error::DuplicateCustomer {
                    row,
                    first_row,
                    customer,
                    at: self.at(Table::Customers, row),
                    first_at: self.at(Table::Customers, first_row),
                }
            }
            other => other,
        }
    }
}

impl CustomerBaseBuilder {
    /// Reads a transactions file ([`super::read_transactions`]) and adds its rows. An
    /// unknown customer found by [`Self::build`] then names the file and line.
    ///
    /// ```
    /// use crm_core::{Customer, CustomerBase, Error, Key};
    /// use crm_core::ingest::TransactionCsv;
    /// let path = std::env::temp_dir().join("crm_doc_builder_tx.csv");
    /// // Line 3 has no date: with on_error = "skip" it is rejected, not loaded.
    /// std::fs::write(&path, "customer_id,date,amount\r\n1,2024-01-05,10\r\n2,,5\r\n9,2024-01-06,7\r\n").unwrap();
    /// let mut spec = TransactionCsv::default();
    /// spec.options.on_error = crm_core::ingest::OnError::Skip;
    /// let mut builder = CustomerBase::builder().customers([Customer::new(Key::Int(1))]);
    /// let report = builder.add_transactions_csv(&path, &spec)?;
    /// assert_eq!(report.rows_rejected, 1);
    /// match builder.build() {
    ///     Err(Error::UnknownCustomer { row, at: Some(at), .. }) => assert_eq!((row, at.line), (1, 4)),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`super::read_transactions`] and [`Self::add_transactions`]; nothing is added then.
    pub fn add_transactions_csv(&mut self, path: impl AsRef<Path>, spec: &TransactionCsv) -> Result<CsvReport> {
        let (columns, report, lines) = read_transactions_lines(path.as_ref(), spec)?;
        let first_row = self.transactions_len();
        self.add_transactions(columns)?;
        self.origins.add(Table::Transactions, first_row, path.as_ref(), lines);
        Ok(report)
    }

    /// Reads a customers file ([`super::read_customers`]) and adds its customers; a
    /// duplicate id found by [`Self::build`] names the file and both lines.
    ///
    /// # Errors
    /// As [`super::read_customers`]; nothing is added then.
    pub fn add_customers_csv(&mut self, path: impl AsRef<Path>, spec: &CustomerCsv) -> Result<CsvReport> {
        let (customers, report, lines) = read_customers_lines(path.as_ref(), spec)?;
        let first_row = self.customers_len();
        self.add_customers(customers);
        self.origins.add(Table::Customers, first_row, path.as_ref(), lines);
        Ok(report)
    }

    /// Reads an interactions file ([`super::read_interactions`]) and adds its rows; an
    /// unknown customer found by [`Self::build`] names the file and line.
    ///
    /// # Errors
    /// As [`super::read_interactions`] and [`Self::add_interactions`]; nothing is added then.
    pub fn add_interactions_csv(&mut self, path: impl AsRef<Path>, spec: &InteractionCsv) -> Result<CsvReport> {
        let (columns, report, lines) = read_interactions_lines(path.as_ref(), spec)?;
        let first_row = self.interactions_len();
        self.add_interactions(columns)?;
        self.origins.add(Table::Interactions, first_row, path.as_ref(), lines);
        Ok(report)
    }
}
