//! Customers files (master data: names, acquisition, permissions, attributes).

use super::dates::{DateParser, DateScan};
use super::lines::RowLines;
use super::source::{Record, Source, problem, trim};
use super::table::{Cells, Ids, Log, decimal_option, detected, each_record, sniff_decimal};
use super::{AttributeType, CsvReport, CustomerCsv, Detected};
use crate::customer::{AttributeValue, Channel, Customer, Permission};
use crate::error::Result;
use crate::time::{day_of, day_to_date};
use chrono::NaiveDate;
use std::path::Path;

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "ja" => Some(true),
        "false" | "no" | "n" | "0" | "nej" => Some(false),
        _ => None,
    }
}

/// What a column of a customers file holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Id,
    Name,
    Email,
    Phone,
    Address,
    Industry,
    Category,
    AcquisitionChannel,
    AcquisitionDate,
    AcquisitionCost,
    Permission(Option<Channel>),
    Attribute(AttributeType),
}

fn role(name: &str, spec: &CustomerCsv) -> Role {
    match name {
        "name" => Role::Name,
        "email" => Role::Email,
        "phone" => Role::Phone,
        "address" => Role::Address,
        "industry" => Role::Industry,
        "category" => Role::Category,
        "acquisition_channel" => Role::AcquisitionChannel,
        "acquisition_date" => Role::AcquisitionDate,
        "acquisition_cost" => Role::AcquisitionCost,
        _ if name.starts_with("permission_") => Role::Permission(name["permission_".len()..].parse().ok()),
        _ => Role::Attribute(spec.attribute_types.get(name).copied().unwrap_or(AttributeType::Text)),
    }
}

/// Reads a customers file (same formats as [`super::read_transactions`]).
///
/// # Examples
///
/// ```
/// use crm_core::ingest::{read_customers, CustomerCsv};
/// let path = std::env::temp_dir().join("crm_doc_customers.csv");
/// std::fs::write(&path, "id;name;acquisition_date\r\n1;Alfa AB;31.01.2024\r\n").unwrap();
/// let (customers, report) = read_customers(&path, &CustomerCsv::default())?;
/// assert_eq!(customers[0].name.as_deref(), Some("Alfa AB"));
/// assert_eq!(report.detected.delimiter, ';');
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// As [`super::read_transactions`]; bad dates, numbers, booleans and permission values are
/// bad values. Duplicate ids are found when the base is built.
pub fn read_customers(path: impl AsRef<Path>, spec: &CustomerCsv) -> Result<(Vec<Customer>, CsvReport)> {
    read_customers_lines(path.as_ref(), spec).map(|(customers, report, _)| (customers, report))
}

/// [`read_customers`], with the file line of each loaded customer.
pub(crate) fn read_customers_lines(path: &Path, spec: &CustomerCsv) -> Result<(Vec<Customer>, CsvReport, RowLines)> {
    let opts = &spec.options;
    let src = Source::open(path, opts.delimiter, opts.encoding)?;
    let header = src.header()?;
    let idi = header.column(&src.path, &spec.id)?;
    let roles: Vec<Role> =
        header.names.iter().enumerate().map(|(i, n)| if i == idi { Role::Id } else { role(n, spec) }).collect();
    let numeric: Vec<usize> = (0..roles.len())
        .filter(|&i| matches!(roles[i], Role::AcquisitionCost | Role::Attribute(AttributeType::Number)))
        .collect();
    let decimal = match decimal_option(opts.decimal)? {
        Some(d) => d,
        None => sniff_decimal(&src, &header, &numeric),
    };
    let data = &src.bytes[header.data.clone()];
    let date_columns: Vec<usize> = (0..roles.len())
        .filter(|&i| {
            matches!(roles[i], Role::AcquisitionDate | Role::Permission(_) | Role::Attribute(AttributeType::Date))
        })
        .collect();
    // The day/month order of a/b/YYYY dates from every date cell of the file first.
    let mut scan = DateScan::default();
    let first_pass = DateParser { day_first: opts.day_first, formats: &opts.date_formats };
    let mut ignored = Log::default();
    each_record(data, src.delimiter, &header.names, &mut ignored, |rec, line, _| {
        for &i in &date_columns {
            first_pass.parse(trim(rec.field(i)), line + header.first_line, &mut scan);
        }
    });
    let day_first = scan.day_first(opts.day_first).map_err(|m| problem(&src.path, header.first_line, "", &m))?;
    let cells = Cells {
        names: &header.names,
        encoding: opts.encoding,
        decimal,
        dates: DateParser { day_first: day_first.or(Some(false)), formats: &opts.date_formats },
    };
    let mut ids = Ids::new(opts.id_kind);
    let mut customers = Vec::new();
    let mut lines = RowLines::default();
    let mut log = Log::new(opts.on_error);
    let (mut buf, mut id_buf) = (String::new(), String::new());
    let mut unused = DateScan::default();
    each_record(data, src.delimiter, &header.names, &mut log, |rec: &Record<'_>, line, log| {
        let id = cells.required(rec, idi, &mut id_buf, line, log);
        if let Some(Err(m)) = id.map(|id| Ids::check(opts.id_kind, id)) {
            log.bad(line, &header.names[idi], m);
        }
        let mut c = Customer::default();
        for (i, &role) in roles.iter().enumerate() {
            if role == Role::Id || trim(rec.field(i)).is_empty() {
                continue;
            }
            let date = |log: &mut Log, scan: &mut DateScan| -> Option<NaiveDate> {
                cells.timestamp(rec, i, line, log, scan).map(|t| day_to_date(day_of(t)))
            };
            match role {
                Role::AcquisitionDate => c.acquisition_date = date(log, &mut unused),
                Role::AcquisitionCost => c.acquisition_cost = cells.number(rec, i, line, log),
                Role::Permission(None) => {
                    log.bad(line, &header.names[i], format!("`{}` names no known channel", header.names[i]))
                }
                Role::Permission(Some(channel)) => {
                    let Some(v) = cells.text(rec, i, &mut buf, line, log) else { continue };
                    if let Some(granted) = parse_bool(v) {
                        c.permissions.push(Permission { channel, granted, date: None });
                    } else if let Some(t) = cells.dates.parse(v.as_bytes(), line, &mut unused) {
                        c.permissions.push(Permission { channel, granted: true, date: Some(day_to_date(day_of(t))) });
                    } else {
                        log.bad(line, &header.names[i], format!("`{v}` is neither yes/no nor a date"));
                    }
                }
                Role::Attribute(AttributeType::Number) => {
                    if let Some(v) = cells.number(rec, i, line, log) {
                        c.attributes.insert(header.names[i].clone(), AttributeValue::Number(v));
                    }
                }
                Role::Attribute(AttributeType::Date) => {
                    if let Some(d) = date(log, &mut unused) {
                        c.attributes.insert(header.names[i].clone(), AttributeValue::Date(d));
                    }
                }
                _ => {
                    let Some(v) = cells.text(rec, i, &mut buf, line, log) else { continue };
                    let v = v.to_owned();
                    match role {
                        Role::Name => c.name = Some(v),
                        Role::Email => c.email = Some(v),
                        Role::Phone => c.phone = Some(v),
                        Role::Address => c.address = Some(v),
                        Role::Industry => c.industry = Some(v),
                        Role::Category => c.category = Some(v),
                        Role::AcquisitionChannel => c.acquisition_channel = Some(v),
                        Role::Attribute(AttributeType::Bool) => match parse_bool(&v) {
                            Some(b) => {
                                c.attributes.insert(header.names[i].clone(), AttributeValue::Bool(b));
                            }
                            None => log.bad(line, &header.names[i], format!("`{v}` is not true/false")),
                        },
                        _ => {
                            c.attributes.insert(header.names[i].clone(), AttributeValue::Text(v));
                        }
                    }
                }
            }
        }
        if log.end_row()
            && let Some(id) = id
        {
            ids.push(opts.id_kind, id);
            customers.push(c);
            lines.push(line);
        }
    });
    // Lines were relative to the data: shift them to file lines.
    let mut shifted = Log::new(opts.on_error);
    shifted.append(log, header.first_line);
    let mut report = shifted.finish(&src.path, opts.on_error)?;
    let keys = Ids::join(vec![ids]);
    for (k, c) in customers.iter_mut().enumerate() {
        c.id = Some(keys.get(k));
    }
    report.detected = Detected { date_format: scan.describe(day_first), day_first, ..detected(&src, decimal) };
    // Lines were relative to the data, as in the log.
    Ok((customers, report, lines.shifted(header.first_line)))
}
