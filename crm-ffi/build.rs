//! Generates `include/crm.h` with cbindgen on every build. The header is committed; the
//! test command fails when the committed header differs from the generated one.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = crate_dir.join("../include/crm.h");
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let mut parts = version.split('.');
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let after = config.after_includes.take().unwrap_or_default();
    config.after_includes = Some(
        after
            .replace("@MAJOR@", parts.next().unwrap_or("0"))
            .replace("@MINOR@", parts.next().unwrap_or("0"))
            .replace("@PATCH@", parts.next().unwrap_or("0"))
            .replace("@VERSION@", &version),
    );
    // The shared library's SONAME: 0.x releases break compatibility on the minor version
    // (semver), later ones on the major. crm-ffi/install.sh makes the matching symlinks.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let (major, minor) = (version.split('.').next().unwrap_or("0"), version.split('.').nth(1).unwrap_or("0"));
        let soname = if major == "0" { format!("libcrm_ffi.so.0.{minor}") } else { format!("libcrm_ffi.so.{major}") };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    match cbindgen::Builder::new().with_crate(&crate_dir).with_config(config).generate() {
        Ok(bindings) => {
            bindings.write_to_file(&out);
        }
        Err(e) => panic!("cbindgen failed: {e}"),
    }
}
