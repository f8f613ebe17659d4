//! Hints to the processor's cache: the one place where the core uses `unsafe` (a prefetch
//! instruction, which reads nothing and cannot fault).

/// Asks the cache for the line holding `value`, to be read soon: a hint only (a no-op on
/// processors other than x86-64). Passes that read states at random ask for a later
/// row's state while they work on this row's, so that the misses overlap.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads no memory and cannot fault (it is a hint the processor may
    // drop); the address is that of a live reference. SSE, which has it, is part of every
    // x86-64 processor.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
