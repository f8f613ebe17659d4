//! Replays every corpus input and minimised regression of every target without AFL, plus
//! seeded mutations of each (bit flips, byte changes, cuts), and fails on any panic. The
//! test command runs it: `cargo run --manifest-path fuzz/Cargo.toml --bin replay [-- MUTATIONS]`;
//! with `CRM_FUZZ_SAVE=1` a failing input is written to `regressions/<target>/`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("readable")))
        .collect()
}

/// SplitMix64, seeded per input so a failure replays.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn mutate(input: &[u8], seed: u64) -> Vec<u8> {
    let mut s = seed;
    let mut out = input.to_vec();
    for _ in 0..1 + next(&mut s) % 4 {
        if out.is_empty() {
            out.push(next(&mut s) as u8);
            continue;
        }
        let at = (next(&mut s) % out.len() as u64) as usize;
        match next(&mut s) % 5 {
            0 => out[at] ^= 1 << (next(&mut s) % 8),
            1 => out[at] = [b'\n', b'\r', b'"', b',', b';', 0xff, b'-', b'9', b'.', 0][(next(&mut s) % 10) as usize],
            2 => out.truncate(at.max(1)),
            3 => {
                let len = (next(&mut s) % 16) as usize;
                let piece = out[at..(at + len).min(out.len())].to_vec();
                out.splice(at..at, piece);
            }
            _ => {
                out.remove(at);
            }
        }
    }
    out
}

fn main() {
    let mutations: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    let mut runs = 0u64;
    for (name, target) in crm_fuzz::TARGETS {
        let mut files = inputs(&root.join("corpus").join(name));
        files.extend(inputs(&root.join("regressions").join(name)));
        for (file, bytes) in &files {
            for m in 0..=mutations {
                let input = if m == 0 {
                    bytes.clone()
                } else {
                    mutate(bytes, m.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ bytes.len() as u64)
                };
                runs += 1;
                if let Err(e) = catch_unwind(AssertUnwindSafe(|| target(&input))) {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{name}: {file} (mutation {m}): {msg}"));
                    // CRM_FUZZ_SAVE=1 keeps the failing input as a regression to commit once fixed.
                    if std::env::var_os("CRM_FUZZ_SAVE").is_some() {
                        let stem =
                            Path::new(file).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
                        let to = root.join("regressions").join(name).join(format!("{stem}-m{m}"));
                        std::fs::write(&to, &input).expect("regression written");
                    }
                    break;
                }
            }
        }
        println!("{name}: {} inputs replayed with {mutations} mutations each", files.len());
    }
    println!("{runs} runs, {} failures", failures.len());
    for f in &failures {
        eprintln!("FAILED {f}");
    }
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
