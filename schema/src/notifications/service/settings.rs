//! What the configuration decides about mail: who it is from, where its links point, the
//! secret that signs its tokens, where overriding templates live, and how often a failed
//! mail is retried. Built once at start (`api/src/config/mail.rs`).

use super::links::MailSecret;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `From:` of every mail (`MAIL_FROM`), as given: "Shop <shop@example.com>".
    pub from: String,
    /// What mails call the shop: the display name of `from`, else its address.
    pub shop_name: String,
    /// The storefront's base URL without a trailing slash (`STOREFRONT_URL`); every link in a
    /// mail starts with it.
    pub storefront_url: String,
    /// Signs unsubscribe tokens and derives the order keys mails carry.
    pub secret: MailSecret,
    /// Templates here replace the built-in ones of the same name (`MAIL_TEMPLATES_DIR`).
    pub templates_dir: Option<PathBuf>,
    pub retry: RetryPolicy,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: "shopgraph <shop@localhost>".to_owned(),
            shop_name: "shopgraph".to_owned(),
            storefront_url: "http://localhost:3000".to_owned(),
            secret: MailSecret::random(),
            templates_dir: None,
            retry: RetryPolicy::default(),
        }
    }
}

impl MailSettings {
    /// `settings` with the storefront URL stripped of trailing slashes, so links join with one.
    pub fn with_storefront_url(mut self, url: &str) -> Self {
        self.storefront_url = url.trim_end_matches('/').to_owned();
        self
    }
}

/// When a mail that could not be sent is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; each further failure doubles it.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// Attempts in all; after the last failure the job is FAILED.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // 30 s, 1 min, 2, 4, 8, 16, 32 min, 1 h: about two hours of an SMTP server's outage.
        Self {
            base: Duration::from_secs(30),
            max_backoff: Duration::from_secs(60 * 60),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// The wait before the next attempt after `attempts` failed ones (at least one).
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(20);
        self.base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1), Duration::from_secs(30));
        assert_eq!(policy.backoff(2), Duration::from_secs(60));
        assert_eq!(policy.backoff(4), Duration::from_secs(240));
        assert_eq!(policy.backoff(8), Duration::from_secs(3600));
        assert_eq!(policy.backoff(100), Duration::from_secs(3600));
    }
}
