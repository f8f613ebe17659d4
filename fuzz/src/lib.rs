//! Fuzz targets of crm: each takes arbitrary bytes and must never panic, abort or hang.
//! A returned error is fine; a panic (or `CRM_RESULT_PANIC` from the C face, which means a
//! panic was caught at the boundary) is a crash.
//!
//! The first byte of an input picks a variant (reader, format, face); the rest is the
//! payload, so one corpus covers several entry points.

use chrono::NaiveDate;
use crm_core::CustomerBase;
use crm_core::funnel::{Funnel, FunnelPeriod};
use crm_core::process::{EvaluationConfig, Process};
use crm_core::scoring::ScoringModel;
use std::sync::OnceLock;
// The C symbols the targets call live in this crate.
use crm_ffi as _;

/// The targets by name, as the replay runner and the AFL binaries use them.
pub const TARGETS: [(&str, fn(&[u8])); 3] = [("csv", csv), ("definitions", definitions), ("c_batch", c_batch)];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// A small fixed base with transactions and interactions to run parsed definitions on.
fn base() -> &'static CustomerBase {
    static BASE: OnceLock<CustomerBase> = OnceLock::new();
    BASE.get_or_init(|| {
        let data = crm_core::sample::generate(&crm_core::sample::SampleConfig {
            customers: 40,
            start: day(2023, 1, 1),
            days: 400,
            ..Default::default()
        });
        data.into_base().expect("the sample builds")
    })
}

/// A per-process scratch file for readers that take a path.
fn scratch(bytes: &[u8]) -> std::path::PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm".into() } else { std::env::temp_dir() };
    let path = dir.join(format!("crm-fuzz-{}.csv", std::process::id()));
    std::fs::write(&path, bytes).expect("scratch file writes");
    path
}

/// The CSV readers (transactions, customers, interactions) with the options the first byte
/// picks; a loaded transactions file is built into a base and summarised.
pub fn csv(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else { return };
    let path = scratch(body);
    csv_read(selector, &path);
    let _ = std::fs::remove_file(&path);
}

mod csv_variants;
pub use csv_variants::csv_read;

/// Process, funnel and scoring definitions in TOML and JSON, through the core and the C
/// face; whatever parses is run on a small base.
pub fn definitions(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else { return };
    let as_of = day(2024, 2, 1);
    match selector % 6 {
        0 => {
            let Ok(text) = std::str::from_utf8(body) else { return };
            if let Ok(p) = Process::from_toml(text) {
                let _ = base().due_actions(&[p], as_of, &EvaluationConfig::default());
            }
        }
        1 => {
            let Ok(text) = std::str::from_utf8(body) else { return };
            if let Ok(p) = Process::from_json(text) {
                let _ = base().due_actions(&[p], as_of, &EvaluationConfig::default());
            }
        }
        2 | 3 => {
            let Ok(text) = std::str::from_utf8(body) else { return };
            let parsed: Option<Funnel> =
                if selector % 6 == 2 { toml::from_str(text).ok() } else { serde_json::from_str(text).ok() };
            if let Some(f) = parsed {
                let period =
                    FunnelPeriod { entry_from: day(2023, 1, 1), entry_to: day(2023, 7, 1), as_of, confidence: 0.95 };
                let _ = base().funnel(&f, &period);
            }
        }
        4 => {
            let Ok(text) = std::str::from_utf8(body) else { return };
            if let Ok(m) = serde_json::from_str::<ScoringModel>(text) {
                let _ = base().score(&m, as_of);
            }
        }
        _ => c_definitions(body),
    }
}

/// The C entry points that read definitions: every one must return a code, never a panic.
fn c_definitions(body: &[u8]) {
    use c::*;
    let text = body.as_ptr().cast();
    // SAFETY: `text` holds `body.len()` bytes; out-parameters are valid; handles are freed once.
    unsafe {
        let mut p = std::ptr::null_mut();
        for rc in [crm_process_new_json(text, body.len(), &mut p), crm_process_new_toml(text, body.len(), &mut p)] {
            assert_ne!(rc, PANIC, "{}", last_detail());
            crm_process_free(p);
            p = std::ptr::null_mut();
        }
        let mut f = std::ptr::null_mut();
        assert_ne!(crm_funnel_new_json(text, body.len(), &mut f), PANIC, "{}", last_detail());
        crm_funnel_free(f);
        let mut m = std::ptr::null_mut();
        assert_ne!(crm_scoring_model_new_json(text, body.len(), &mut m), PANIC, "{}", last_detail());
        crm_scoring_model_free(m);
    }
}

fn last_detail() -> String {
    // SAFETY: the detail is a NUL-terminated thread-local string, never NULL.
    unsafe { std::ffi::CStr::from_ptr(c::crm_last_error_detail()) }.to_string_lossy().into_owned()
}

/// The C functions the targets call, declared as a C caller sees them in `include/crm.h`
/// (the symbols come from the linked crm-ffi library).
mod c {
    use std::ffi::{c_char, c_void};
    pub const OK: u32 = 0;
    pub const PANIC: u32 = 99;
    unsafe extern "C" {
        pub fn crm_last_error_detail() -> *const c_char;
        pub fn crm_process_new_json(text: *const c_char, len: usize, out: *mut *mut c_void) -> u32;
        pub fn crm_process_new_toml(text: *const c_char, len: usize, out: *mut *mut c_void) -> u32;
        pub fn crm_process_free(p: *mut c_void);
        pub fn crm_funnel_new_json(text: *const c_char, len: usize, out: *mut *mut c_void) -> u32;
        pub fn crm_funnel_free(p: *mut c_void);
        pub fn crm_scoring_model_new_json(text: *const c_char, len: usize, out: *mut *mut c_void) -> u32;
        pub fn crm_scoring_model_free(p: *mut c_void);
        pub fn crm_base_builder_new(out: *mut *mut c_void) -> u32;
        #[allow(clippy::too_many_arguments)]
        pub fn crm_base_builder_add_transactions_int(
            builder: *mut c_void,
            ids: *const i64,
            ids_len: usize,
            times: *const i64,
            times_len: usize,
            unit: u8,
            amounts: *const f64,
            amounts_len: usize,
            margins: *const f64,
            margins_len: usize,
        ) -> u32;
        pub fn crm_base_builder_build(builder: *mut c_void, out: *mut *mut c_void) -> u32;
        pub fn crm_base_builder_free(builder: *mut c_void);
        pub fn crm_base_free(base: *mut c_void);
        pub fn crm_date_from_ymd(year: i32, month: u32, day: u32, out: *mut i32) -> u32;
        pub fn crm_report_new(base: *const c_void, as_of: i32, config: *const c_void, out: *mut *mut c_void) -> u32;
        pub fn crm_report_free(report: *mut c_void);
    }
}

/// The C bulk-load entry point with arbitrary arrays (ids, times in the unit the first byte
/// picks, amounts and optional margins), then a build and a summary.
pub fn c_batch(data: &[u8]) {
    use c::*;
    let Some((&selector, body)) = data.split_first() else { return };
    let rows = body.len() / 24;
    let word = |k: usize| u64::from_le_bytes(body[k * 8..k * 8 + 8].try_into().expect("8 bytes"));
    let ids: Vec<i64> = (0..rows).map(|r| word(3 * r) as i64 % 64).collect();
    let times: Vec<i64> = (0..rows).map(|r| word(3 * r + 1) as i64).collect();
    let amounts: Vec<f64> = (0..rows).map(|r| f64::from_bits(word(3 * r + 2))).collect();
    let margins: Vec<f64> = amounts.iter().map(|a| a * 0.3).collect();
    let with_margins = selector & 0x10 != 0;
    // SAFETY: every array holds `rows` values; handles are freed once.
    unsafe {
        let mut builder = std::ptr::null_mut();
        assert_eq!(crm_base_builder_new(&mut builder), OK);
        let rc = crm_base_builder_add_transactions_int(
            builder,
            ids.as_ptr(),
            ids.len(),
            times.as_ptr(),
            times.len(),
            selector % 4,
            amounts.as_ptr(),
            amounts.len(),
            if with_margins { margins.as_ptr() } else { std::ptr::null() },
            if with_margins { margins.len() } else { 0 },
        );
        assert_ne!(rc, PANIC, "{}", last_detail());
        let mut base = std::ptr::null_mut();
        let rc = crm_base_builder_build(builder, &mut base);
        assert_ne!(rc, PANIC, "{}", last_detail());
        crm_base_builder_free(builder);
        if rc == OK {
            let mut as_of = 0;
            assert_eq!(crm_date_from_ymd(2024, 6, 30, &mut as_of), OK);
            let mut report = std::ptr::null_mut();
            let rc = crm_report_new(base, as_of, std::ptr::null(), &mut report);
            assert_ne!(rc, PANIC, "{}", last_detail());
            crm_report_free(report);
        }
        crm_base_free(base);
    }
}
