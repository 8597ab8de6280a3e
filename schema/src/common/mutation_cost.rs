//! What mutation fields cost in the complexity budget (`QueryLimits::max_complexity`,
//! 20,000 by default; a field costs 1 unless it says otherwise).
//!
//! Why: at cost 1, one document could alias a mutation thousands of times — thousands of
//! write transactions, or thousands of sign-in attempts (each an argon2 hash, and each a
//! password guess that a per-request rate limit would not count). With these costs such a
//! document is refused with "Query is too complex" before anything runs, while a client may
//! still batch a handful of writes in one request.

/// A write: about 20 fit in one document under the default budget.
pub const WRITE: usize = 1_000;

/// A mutation that hashes a password (registration, sign-in): 3 fit in one document.
pub const PASSWORD_HASH: usize = 5_000;
