//! Email settings: where mail goes (an SMTP server, else a Maildir under `DATA_DIR/mail`),
//! who it is from, where its links point, the secret that signs them, the templates that
//! replace the built-in ones, and how failed mail is retried.

use super::invalid::InvalidValue;
use clap::Args;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Email")]
pub struct MailConfig {
    /// SMTP server for outgoing mail: `smtp://host:25` (plain text, for a relay on the same
    /// network), `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465` (TLS). Without it, mail is written as files to a Maildir
    /// under DATA_DIR/mail.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Milliseconds each SMTP command may take before the attempt fails (and is retried).
    #[arg(long, env = "SMTP_TIMEOUT_MS", default_value_t = 5_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub smtp_timeout_ms: u64,

    /// `From:` of every mail, e.g. `Acme Shop <orders@acme.example>`; its name is what mails
    /// call the shop.
    #[arg(long, env = "MAIL_FROM", default_value = "shopgraph <shop@localhost>")]
    pub mail_from: String,

    /// Directory of mail templates (`order_confirmation.txt`, `layout.html`, …) that replace
    /// the built-in ones of the same name.
    #[arg(long, env = "MAIL_TEMPLATES_DIR")]
    pub mail_templates_dir: Option<PathBuf>,

    /// The storefront's base URL: mails link to its order, cart, product and unsubscribe
    /// pages (`/orders/{id}?key=…`, `/cart/{id}`, `/products/{slug}`, `/unsubscribe?token=…`).
    #[arg(long, env = "STOREFRONT_URL", default_value = "http://localhost:3000")]
    pub storefront_url: StorefrontUrl,

    /// Secret that signs unsubscribe links and the order keys in mails (at least 32 bytes).
    /// Default: derived from JWT_SECRET (random without it: links stop working at restart).
    #[arg(long, env = "MAIL_SECRET", hide_env_values = true)]
    pub mail_secret: Option<MailSecretValue>,

    /// Attempts to send one mail before it is given up (FAILED).
    #[arg(long, env = "MAIL_MAX_ATTEMPTS", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub mail_max_attempts: u32,

    /// Milliseconds before a failed mail is tried again; each further failure doubles the
    /// wait, up to an hour.
    #[arg(long, env = "MAIL_RETRY_BASE_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub mail_retry_base_ms: u64,
}

/// An http(s) URL, kept without its trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorefrontUrl(String);

impl StorefrontUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for StorefrontUrl {
    type Err = InvalidValue;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim().trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
                Ok(Self(url.to_owned()))
            }
            _ => Err(InvalidValue::new(
                "must be an http or https URL, e.g. https://shop.example.com",
            )),
        }
    }
}

/// Minimum length of `MAIL_SECRET`, as for JWT_SECRET.
const MIN_MAIL_SECRET_BYTES: usize = 32;

/// `MAIL_SECRET`; its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct MailSecretValue(String);

impl MailSecretValue {
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl FromStr for MailSecretValue {
    type Err = InvalidValue;

    fn from_str(secret: &str) -> Result<Self, Self::Err> {
        if secret.len() < MIN_MAIL_SECRET_BYTES {
            return Err(InvalidValue::new(format!(
                "must be at least {MIN_MAIL_SECRET_BYTES} bytes long"
            )));
        }
        Ok(Self(secret.to_owned()))
    }
}

impl fmt::Debug for MailSecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MailSecretValue(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storefront_url_is_http_and_loses_its_trailing_slash() {
        assert_eq!(
            "https://shop.example/".parse::<StorefrontUrl>().ok(),
            Some(StorefrontUrl("https://shop.example".into()))
        );
        for bad in ["shop.example", "ftp://x", "https://", "http://a b"] {
            assert!(bad.parse::<StorefrontUrl>().is_err(), "{bad}");
        }
    }
}
