//! The server's memory allocator, mimalloc, and the one setting the server changes in it: how
//! soon freed memory goes back to the operating system.
//!
//! mimalloc keeps memory it freed for `purge_delay` milliseconds before returning it, so a
//! burst that frees and then allocates again reuses it without asking the kernel. Its current
//! default is a whole second, and the delay is only checked when a thread allocates again:
//! memory freed at the end of start-up (indexing the catalog) or of a burst stayed resident.
//! With 10 ms — mimalloc's own earlier default — the server held 96 instead of 119 MiB before
//! 10,000 websocket subscribers connected and at most 148 instead of 158 MiB while they were
//! served, with the same throughput on the computed storefront queries (docs/performance.md).
//! Immediate return (0) cost 10–15% of that throughput.
//!
//! This is the workspace's only crate with `unsafe` code: mimalloc's options are set through
//! its C API.

pub use mimalloc::MiMalloc;
use std::ffi::c_long;

/// `mi_option_purge_delay` in mimalloc.h (the same place in its option list in mimalloc 2 and 3).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long, in milliseconds, freed memory waits before mimalloc returns it.
pub const PURGE_DELAY_MS: c_long = 10;

/// The environment variable with which mimalloc reads its own `purge_delay`; when it is set,
/// it wins.
pub const PURGE_DELAY_VARIABLE: &str = "MIMALLOC_PURGE_DELAY";

/// Sets mimalloc's purge delay to [`PURGE_DELAY_MS`] unless `MIMALLOC_PURGE_DELAY` chose one.
/// Call it first thing in `main`, before the process starts threads.
pub fn return_freed_memory_promptly() {
    if std::env::var_os(PURGE_DELAY_VARIABLE).is_some() {
        return;
    }
    set_purge_delay(PURGE_DELAY_MS);
}

/// mimalloc's purge delay now, in milliseconds.
pub fn purge_delay_ms() -> c_long {
    #[allow(unsafe_code)]
    // SAFETY: `mi_option_get` reads one entry of mimalloc's option table (reading the
    // environment the first time); any option number of mimalloc.h is valid.
    unsafe {
        libmimalloc_sys::mi_option_get(PURGE_DELAY)
    }
}

fn set_purge_delay(ms: c_long) {
    #[allow(unsafe_code)]
    // SAFETY: `mi_option_set` stores one value in mimalloc's option table, which mimalloc
    // reads whenever it decides to purge; any option number of mimalloc.h is valid.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, ms)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_is_set_unless_the_environment_chose_one() {
        let chosen = std::env::var_os(PURGE_DELAY_VARIABLE).is_some();
        let before = purge_delay_ms();
        return_freed_memory_promptly();
        if chosen {
            assert_eq!(
                purge_delay_ms(),
                before,
                "the environment's choice was overridden"
            );
        } else {
            assert_eq!(purge_delay_ms(), PURGE_DELAY_MS);
        }
    }
}
