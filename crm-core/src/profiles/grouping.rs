//! The entry points and the groupings: value segment, ABC class, pyramid level, stage,
//! RFM cell, process target group or a label column, each customer in one group or none.

use super::*;

impl CustomerBase {
    /// Profiles of the groups of `config.by` against the whole base as of a date (see the
    /// [module documentation](crate::profiles) for the rules).
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::profiles::{ProfileConfig, ProfileGrouping};
    /// use crm_core::{Customer, CustomerBase, TransactionColumns};
    /// let customers = (1..=4).map(|i| {
    ///     let mut c = Customer::new(i as i64);
    ///     c.industry = Some(if i <= 3 { "retail" } else { "public" }.into());
    ///     c.category = Some(if i % 2 == 0 { "business" } else { "consumer" }.into());
    ///     c
    /// });
    /// let base = CustomerBase::builder()
    ///     .customers(customers)
    ///     .transactions(TransactionColumns::new(vec![1_i64].into(), vec![0], vec![10.0]))?
    ///     .build()?;
    /// let config = ProfileConfig {
    ///     by: ProfileGrouping::Attribute { attribute: "category".into() },
    ///     categorical: vec!["industry".into()],
    ///     numeric: vec![],
    ///     min_group_size: 1,
    ///     ..ProfileConfig::default()
    /// };
    /// let p = base.segment_profiles(NaiveDate::from_ymd_opt(1970, 6, 1).unwrap(), &config)?;
    /// // business = customers 2 and 4: retail 1 of 2 (50 %) against 3 of 4 (75 %) in the base.
    /// let row = p.categorical.iter().find(|r| r.group == "business" && r.value == "retail").unwrap();
    /// assert_eq!((row.count, row.base_count), (1, 3));
    /// assert!((row.index - 50.0 / 75.0 * 100.0).abs() < 1e-9);
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules; errors of the segment, lifecycle or
    /// wallet analyses the grouping or attributes need ([`Error::MissingData`] for segments
    /// by margin without margins).
    pub fn segment_profiles(&self, as_of: NaiveDate, config: &ProfileConfig) -> Result<Profiles> {
        self.segment_profiles_with(as_of, config, None, None)
    }

    /// [`Self::segment_profiles`] reusing segments and a wallet already computed (for the
    /// segment, ABC and pyramid groupings and the `share_of_wallet` attribute; each is
    /// computed by the config's rules when `None`). They must be of this base and as-of
    /// date.
    ///
    /// # Errors
    /// As [`Self::segment_profiles`]; [`Error::LengthMismatch`] when a result given has
    /// another number of customers.
    pub fn segment_profiles_with(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        segments: Option<&Segments>,
        wallet: Option<&Wallet>,
    ) -> Result<Profiles> {
        config.validate()?;
        for (name, len) in [("segments", segments.map(|s| s.segment.len())), ("wallet", wallet.map(|w| w.share.len()))]
        {
            if let Some(len) = len
                && len != self.len()
            {
                return Err(Error::LengthMismatch {
                    column: name.into(),
                    reference: "customers".into(),
                    expected: self.len(),
                    actual: len,
                });
            }
        }
        let table = self.profile_attributes(config, wallet.is_some());
        let (names, group) = self.profile_grouping(as_of, config, segments, &table)?;
        self.profiles_of(as_of, config, names, group, &table, wallet)
    }

    /// Profiles of groups the caller gives: a label per customer in customer index order
    /// (`None`: in no group); groups are the distinct labels, sorted. `config.by` is not
    /// used.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `labels` does not hold one entry per customer; as
    /// [`Self::segment_profiles`] otherwise.
    pub fn segment_profiles_by_labels<S: AsRef<str>>(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        labels: &[Option<S>],
    ) -> Result<Profiles> {
        config.validate()?;
        if labels.len() != self.len() {
            return Err(Error::LengthMismatch {
                column: "labels".into(),
                reference: "customers".into(),
                expected: self.len(),
                actual: labels.len(),
            });
        }
        let mut names: Vec<String> = labels.iter().flatten().map(|s| s.as_ref().to_owned()).collect();
        names.sort_unstable();
        names.dedup();
        let group = labels
            .iter()
            .map(|l| l.as_ref().map(|s| names.binary_search_by(|n| n.as_str().cmp(s.as_ref())).expect("listed") as u32))
            .collect();
        let table = self.profile_attributes(config, false);
        self.profiles_of(as_of, config, names, group, &table, None)
    }

    /// Every customer attribute a profile reads, in one pass over the customer table: the
    /// grouping attribute, the categorical and numeric ones, and the wallet's when the
    /// share of wallet is profiled and no wallet is `given`.
    fn profile_attributes(&self, config: &ProfileConfig, wallet_given: bool) -> AttributeTable {
        let grouping = match &config.by {
            ProfileGrouping::Attribute { attribute } => Some(attribute.as_str()),
            _ => None,
        };
        let numeric = config.numeric.iter().map(String::as_str).filter(|a| !DERIVED.contains(a));
        let wallet = config.numeric.iter().any(|a| a == "share_of_wallet") && !wallet_given;
        let wallet = wallet.then(|| wallet_attributes(&config.wallet)).into_iter().flatten();
        AttributeTable::read(
            self,
            config.categorical.iter().map(String::as_str).chain(numeric).chain(grouping).chain(wallet),
        )
    }

    /// The group names and each customer's group.
    pub(super) fn profile_grouping(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        given: Option<&Segments>,
        table: &AttributeTable,
    ) -> Result<(Vec<String>, Vec<Option<u32>>)> {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let needs = matches!(config.by, ProfileGrouping::Segment | ProfileGrouping::Abc | ProfileGrouping::Pyramid);
        let computed = if needs && given.is_none() { Some(self.segments(as_of, &config.segments)?) } else { None };
        let segments = || given.or(computed.as_ref()).ok_or_else(|| Error::MissingData("segments".into()));
        Ok(match &config.by {
            ProfileGrouping::Segment => {
                let s = segments()?;
                (owned(&["top", "middle", "bottom"]), s.segment.iter().map(|x| x.map(|x| x as u32)).collect())
            }
            ProfileGrouping::Abc => {
                let s = segments()?;
                (owned(&["A", "B", "C"]), s.abc.iter().map(|x| x.map(|x| x as u32)).collect())
            }
            ProfileGrouping::Pyramid => {
                let s = segments()?;
                (
                    owned(&["top", "large", "medium", "small", "inactive", "prospect"]),
                    s.pyramid.iter().map(|x| Some(*x as u32)).collect(),
                )
            }
            ProfileGrouping::Stage => {
                let l = self.lifecycle(as_of, &config.lifecycle)?;
                (
                    LifecycleStage::ALL.iter().map(|s| s.name().to_owned()).collect(),
                    l.stages.iter().map(|s| Some(*s as u32)).collect(),
                )
            }
            ProfileGrouping::Rfm => {
                let s = self.summary(as_of)?;
                let mut codes: Vec<u16> = (0..s.len()).filter_map(|i| s.rfm_of(i)).map(|r| r.code()).collect();
                codes.sort_unstable();
                codes.dedup();
                let names = codes.iter().map(|c| format!("R{}F{}M{}", c / 100, c / 10 % 10, c % 10)).collect();
                let group = (0..s.len())
                    .map(|i| s.rfm_of(i).map(|r| codes.binary_search(&r.code()).expect("listed") as u32))
                    .collect();
                (names, group)
            }
            ProfileGrouping::Attribute { attribute } => {
                let col = table.get(attribute).categorical(config.bands.get(attribute).map(Vec::as_slice));
                let group = col.codes.iter().map(|&k| (k != MISSING).then_some(k)).collect();
                (col.labels.clone(), group)
            }
            ProfileGrouping::TargetGroup { conditions } => {
                let model = ScoringModel::all_of(conditions, &config.lifecycle, &config.segments, &config.wallet);
                let filter = self.condition_filter(&model, as_of)?;
                let group =
                    (0..self.len() as CustomerIndex).map(|c| filter.all_hold(c, &model.rules).then_some(0)).collect();
                (vec!["target_group".to_owned()], group)
            }
        })
    }
}
