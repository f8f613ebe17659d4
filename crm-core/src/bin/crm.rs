//! The `crm` program: the customer-development report on a sales export.
//! All the work is in [`crm_core::cli`], which the Python package's `crm` command runs too.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(crm_core::cli::run(std::env::args_os()))
}
