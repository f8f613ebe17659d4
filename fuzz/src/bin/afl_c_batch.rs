//! AFL entry point of the `c_batch` target (see the crate docs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        crm_fuzz::c_batch(data);
    });
}
