//! What the customer database keeps per customer (DOMAIN.md section 7): contact details,
//! industry, category, acquisition, marketing permissions per channel, free attributes.

use crate::id::Key;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Dense index of a customer in a [`crate::CustomerBase`]. Indices follow ascending
/// external id, so they do not depend on input order.
pub type CustomerIndex = u32;

/// A contact channel (DOMAIN.md section 7: the channels a CRM meets customers on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Channel {
    /// E-mail.
    Email = 0,
    /// Letter, direct mail.
    Letter = 1,
    /// Telephone.
    Phone = 2,
    /// Web site, internet.
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

impl Channel {
    /// All channels, in code order.
    pub const ALL: [Channel; 12] = [
        Channel::Email,
        Channel::Letter,
        Channel::Phone,
        Channel::Web,
        Channel::Fax,
        Channel::Meeting,
        Channel::CallCentre,
        Channel::Retail,
        Channel::Field,
        Channel::Agent,
        Channel::Event,
        Channel::Other,
    ];

    /// The snake_case name (`call_centre`).
    pub fn name(self) -> &'static str {
        [
            "email",
            "letter",
            "phone",
            "web",
            "fax",
            "meeting",
            "call_centre",
            "retail",
            "field",
            "agent",
            "event",
            "other",
        ][self as usize]
    }

    /// The channel with this code, if any.
    pub fn from_code(code: u8) -> Option<Channel> {
        Channel::ALL.get(code as usize).copied()
    }
}

impl std::str::FromStr for Channel {
    type Err = String;
    /// Parses a channel name, case-insensitively, with common spellings
    /// (`e-mail`, `call center`, `direct mail`, `internet`, ...).
    fn from_str(s: &str) -> Result<Self, String> {
        let norm: String = s.trim().to_ascii_lowercase().chars().filter(|c| !matches!(c, ' ' | '-' | '_')).collect();
        Ok(match norm.as_str() {
            "email" | "mail" => Channel::Email,
            "letter" | "directmail" | "post" => Channel::Letter,
            "phone" | "telephone" | "tel" => Channel::Phone,
            "web" | "internet" | "online" => Channel::Web,
            "fax" => Channel::Fax,
            "meeting" | "personalmeeting" | "visit" => Channel::Meeting,
            "callcentre" | "callcenter" => Channel::CallCentre,
            "retail" | "store" | "shop" => Channel::Retail,
            "field" | "fieldstaff" | "fieldsales" => Channel::Field,
            "agent" | "distributor" | "agents" => Channel::Agent,
            "event" | "tradefair" | "fair" => Channel::Event,
            "other" => Channel::Other,
            _ => return Err(format!("unknown channel `{s}`")),
        })
    }
}

/// A marketing permission for one channel (permission marketing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Permission {
    /// The channel.
    pub channel: Channel,
    /// Granted (true) or withdrawn (false).
    pub granted: bool,
    /// When it was granted or withdrawn.
    pub date: Option<NaiveDate>,
}

/// A free attribute value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    /// A flag.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A date (e.g. a lease contract's end).
    Date(NaiveDate),
    /// Text.
    Text(String),
}

/// One customer of the customer table. Only `id` is required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    /// External id as the host gives it.
    pub id: Option<Key>,
    /// Name (person or company).
    pub name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Telephone number.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Customer category.
    pub category: Option<String>,
    /// Date the customer was acquired (became a prospect or customer).
    pub acquisition_date: Option<NaiveDate>,
    /// Channel the customer was acquired through (free text: "web", "fair", "dealer").
    pub acquisition_channel: Option<String>,
    /// What acquiring the customer cost.
    pub acquisition_cost: Option<f64>,
    /// Marketing permissions; the last entry per channel wins.
    pub permissions: Vec<Permission>,
    /// Free attributes.
    pub attributes: BTreeMap<String, AttributeValue>,
}

impl Customer {
    /// A customer with just an id.
    ///
    /// ```
    /// let c = crm_core::Customer::new(42);
    /// assert_eq!(c.id, Some(crm_core::Key::Int(42)));
    /// ```
    pub fn new(id: impl Into<Key>) -> Self {
        Customer { id: Some(id.into()), ..Default::default() }
    }

    /// Whether the customer may be contacted on `channel` (the latest permission entry for
    /// that channel decides; no entry means no permission).
    pub fn permits(&self, channel: Channel) -> bool {
        self.permissions.iter().rev().find(|p| p.channel == channel).is_some_and(|p| p.granted)
    }

    pub(crate) fn validate(&self, row: usize) -> crate::Result<()> {
        use crate::time::check_date;
        if let Some(d) = self.acquisition_date {
            check_date(row, "acquisition_date", d)?;
        }
        for p in &self.permissions {
            if let Some(d) = p.date {
                check_date(row, "permissions", d)?;
            }
        }
        if let Some(c) = self.acquisition_cost
            && !c.is_finite()
        {
            return Err(crate::Error::invalid(row, "acquisition_cost", format!("{c} is not a finite number")));
        }
        for (name, v) in &self.attributes {
            match v {
                AttributeValue::Number(x) if !x.is_finite() => {
                    return Err(crate::Error::invalid(row, name, format!("{x} is not a finite number")));
                }
                AttributeValue::Date(d) => check_date(row, name, *d)?,
                _ => {}
            }
        }
        Ok(())
    }
}
