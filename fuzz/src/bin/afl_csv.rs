//! AFL entry point of the `csv` target (see the crate docs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        crm_fuzz::csv(data);
    });
}
