//! AFL entry point of the `definitions` target (see the crate docs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        crm_fuzz::definitions(data);
    });
}
