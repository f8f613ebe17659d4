//! The report's share-of-wallet and profile sections are the wallet and profile analyses
//! themselves (same rules, same figures), shown in the HTML with their chart.

use crm_core::profiles::ProfileConfig;
use crm_core::sample::{SampleConfig, generate};
use crm_core::wallet::WalletConfig;

#[test]
fn the_report_wallet_and_profiles_are_the_analyses_figures() {
    let data = generate(&SampleConfig { customers: 600, ..Default::default() });
    let as_of = data.end;
    let base = data.into_base().unwrap();
    let report = base.report(as_of, &Default::default()).unwrap();
    let section = report.wallet.as_ref().expect("a wallet section");
    let wallet = base.wallet(as_of, &WalletConfig::default()).unwrap();
    assert_eq!(section.by_segment, wallet.by_segment);
    assert_eq!(section.by_stage, wallet.by_stage);
    let ids: Vec<&str> = section.work_list.iter().map(|g| g.id.as_str()).collect();
    let want: Vec<&str> = wallet.work_list[..10].iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, want);
    assert!(section.work_list.iter().zip(&wallet.work_list).all(|(a, b)| a.growth_potential == b.growth_potential));
    assert_eq!((section.counts, &section.notes), (wallet.counts, &wallet.notes));
    let profiles = base.segment_profiles(as_of, &ProfileConfig::default()).unwrap();
    let p = report.profiles.as_ref().expect("the sample has a customer table");
    assert_eq!(p.categorical, profiles.categorical);
    assert_eq!(p.traits, profiles.traits);
    let html = report.to_html();
    assert!(html.contains(r#"id="chart-wallet""#) && html.contains("What the value segments look like"));
    assert!(report.to_markdown().contains("## Share of wallet and growth potential"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["wallet"]["by_segment"].as_array().unwrap().len(), wallet.by_segment.len());
}

#[test]
fn without_a_customer_table_the_wallet_comes_from_the_whole_base_and_profiles_are_left_out() {
    let mut data = generate(&SampleConfig { customers: 300, ..Default::default() });
    data.customers.clear();
    let as_of = data.end;
    let report = data.into_base().unwrap().report(as_of, &Default::default()).unwrap();
    assert!(report.profiles.is_none());
    let w = report.wallet.unwrap();
    // Source 3 is the whole base: every buyer's wallet is the base's 0.9 quantile.
    assert!(w.counts.by_source[3] > 0 && w.counts.by_source[1] == 0 && w.counts.by_source[2] == 0);
}
