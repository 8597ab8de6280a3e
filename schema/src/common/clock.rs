//! The current time as stored: microsecond precision, what PostgreSQL keeps, so values read
//! back compare equal to the ones written (keyset cursors rely on it).

use chrono::{DateTime, Duration, DurationRound, Utc};

pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(Duration::microseconds(1)).unwrap_or(now)
}
