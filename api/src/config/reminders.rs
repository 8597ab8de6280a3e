//! Reminder settings: back-in-stock subscriptions and abandoned carts.

use clap::Args;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Reminders")]
pub struct RemindersConfig {
    /// Back-in-stock subscriptions one client (account, else IP address) may ask for per hour
    /// (each may send an email later; 0: no limit).
    #[arg(
        long,
        env = "BACK_IN_STOCK_SUBSCRIPTIONS_PER_HOUR",
        default_value_t = 20
    )]
    pub back_in_stock_subscriptions_per_hour: u32,

    /// A cart with an email and lines that nobody changed for this many hours is reported
    /// abandoned (CART_ABANDONED: a webhook and a reminder email), once. Decimals allowed
    /// (0.5 = 30 minutes).
    #[arg(long, env = "CART_ABANDONED_AFTER_HOURS", default_value_t = 24.0, value_parser = hours)]
    pub cart_abandoned_after_hours: f64,

    /// Seconds between looks for abandoned carts (every replica looks; each cart is reported
    /// by one). 0 turns the reminders off in this process.
    #[arg(long, env = "CART_ABANDONED_CHECK_SECS", default_value_t = 300)]
    pub cart_abandoned_check_secs: u64,
}

impl RemindersConfig {
    pub fn cart_abandoned_after(&self) -> Duration {
        Duration::from_secs_f64(self.cart_abandoned_after_hours * 3600.0)
    }
}

/// A non-negative, finite number of hours.
fn hours(text: &str) -> Result<f64, String> {
    let hours: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of hours"))?;
    if hours.is_finite() && (0.0..=24.0 * 365.0).contains(&hours) {
        Ok(hours)
    } else {
        Err(format!("`{text}`: between 0 and 8760 hours"))
    }
}
