//! The retry schedule: when a failed delivery is tried again, and when it is given up.
//!
//! After failed attempt n (1-based) the next waits `base × 2^(n−1)`, at most `base × 2^10`;
//! the 15th failed attempt gives up. With the default base of 30 s:
//!
//! | after attempt | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | wait | 30 s | 1 min | 2 min | 4 min | 8 min | 16 min | 32 min | 64 min | ~2.1 h | ~4.3 h | ~8.5 h | ~8.5 h | ~8.5 h | ~8.5 h |
//!
//! 15 attempts over 5,119 × base ≈ 42.7 hours: a receiver that is down for most of two
//! days still gets everything when it comes back. Tests shrink the base
//! (`WEBHOOK_RETRY_BASE_MS`) to walk the whole schedule in seconds.

use std::time::Duration;

/// Attempts a delivery gets from the schedule (a manual retry adds one each time).
pub const MAX_ATTEMPTS: i32 = 15;
/// The delay stops doubling after this many doublings.
const MAX_DOUBLINGS: u32 = 10;

/// How long to wait after failed attempt number `attempts` (1-based); `None` when that was
/// the last one and the delivery gives up.
pub fn retry_delay(base: Duration, attempts: i32) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let doublings = u32::try_from(attempts.max(1) - 1)
        .unwrap_or(0)
        .min(MAX_DOUBLINGS);
    Some(base.saturating_mul(1 << doublings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_levels_off_and_gives_up_after_about_two_days() {
        let base = Duration::from_secs(30);
        assert_eq!(retry_delay(base, 1), Some(Duration::from_secs(30)));
        assert_eq!(retry_delay(base, 2), Some(Duration::from_secs(60)));
        assert_eq!(retry_delay(base, 11), Some(Duration::from_secs(30 * 1024)));
        assert_eq!(retry_delay(base, 14), Some(Duration::from_secs(30 * 1024)));
        assert_eq!(retry_delay(base, MAX_ATTEMPTS), None);
        let total: Duration = (1..MAX_ATTEMPTS).filter_map(|n| retry_delay(base, n)).sum();
        assert_eq!(total, base * 5119);
        let hours = total.as_secs_f64() / 3600.0;
        assert!((40.0..50.0).contains(&hours), "{hours} h");
    }
}
