//! What the configuration alone decides, worked out before anything connects, so that a
//! refused setting stops the start without touching the database, Redis or the network.

use crate::config::{AuthConfig, Config};
use crate::rate_limit::{Limit, RateLimiter};
use crate::search;
use crate::state::ServerOptions;
use schema::SchemaSettings;
use schema::common::budget::Allowance;
use schema::common::shared_redis::SharedRedis;
use schema::customers::auth::TokenIssuer;
use schema::notifications::service::mailer::{self, MaildirMailer, Mailer, SmtpMailer};
use schema::notifications::{MailSecret, MailSettings, RetryPolicy};
use schema::payments::PaymentProviders;
use schema::payments::stripe::StripeProvider;
use std::sync::Arc;
use std::time::Duration;

/// The parts of the application that need no connection.
pub struct Prepared {
    pub tokens: Arc<TokenIssuer>,
    pub settings: Arc<SchemaSettings>,
    pub options: ServerOptions,
    /// The search engine, opened but not yet asked anything.
    pub search: search::Opened,
    pub payments: PaymentProviders,
    /// Where mail goes: the SMTP server, or the Maildir (nothing connects until a mail).
    pub mailer: Arc<dyn Mailer>,
}

impl Prepared {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        config.check()?;
        let server = &config.server;
        let options = ServerOptions {
            graphiql: !server.production,
            expose_statement_count: !server.production,
            websocket_ping_interval: Duration::from_millis(
                config.websocket.websocket_ping_interval_ms.max(100),
            ),
            trusted_proxy_hops: server.trusted_proxy_hops,
            max_subscriptions_per_connection: config
                .websocket
                .max_subscriptions_per_connection
                .max(1),
            max_websocket_message_bytes: server.max_body_bytes.max(1024),
            payment_webhook_secrets: config.commerce.webhook_secrets()?,
            federation_sdl_key: server
                .federation_sdl_key
                .clone()
                .filter(|s| !s.trim().is_empty()),
        };
        let settings = SchemaSettings {
            default_currency: config.commerce.default_currency,
            max_page_size: 100,
            low_stock_threshold: config.commerce.low_stock_threshold.max(0),
            cart_rules: config.commerce.cart_rules(),
            return_window_days: config.commerce.return_window_days,
            webhooks: config.webhooks.settings(server.production),
            mail: mail_settings(config)?,
            public_url: config.public_url(),
        };
        Ok(Self {
            tokens: Arc::new(token_issuer(&config.auth)?),
            settings: Arc::new(settings),
            options,
            search: search::open(config, search::Role::Serve)?,
            payments: payment_providers(config)?,
            mailer: mailer(config)?,
        })
    }
}

/// Sender, links, secret, templates and retries of mail. A `MAIL_FROM` that is no address
/// stops the start.
fn mail_settings(config: &Config) -> anyhow::Result<MailSettings> {
    let mail = &config.mail;
    let from = mailer::mailbox(&mail.mail_from).map_err(|e| anyhow::anyhow!("MAIL_FROM: {e}"))?;
    let secret = match (&mail.mail_secret, &config.auth.jwt_secret) {
        (Some(secret), _) => MailSecret::new(secret.as_bytes()),
        (None, Some(jwt)) => MailSecret::derived_from(jwt.as_bytes()),
        (None, None) => {
            tracing::warn!(
                "neither MAIL_SECRET nor JWT_SECRET is set: unsubscribe links in mails stop \
                 working when the server restarts"
            );
            MailSecret::random()
        }
    };
    let settings = MailSettings {
        from: mail.mail_from.clone(),
        shop_name: from.name.clone().unwrap_or_else(|| from.email.to_string()),
        storefront_url: String::new(),
        secret,
        templates_dir: mail.mail_templates_dir.clone(),
        retry: RetryPolicy {
            base: Duration::from_millis(mail.mail_retry_base_ms),
            max_attempts: mail.mail_max_attempts,
            ..RetryPolicy::default()
        },
    };
    Ok(settings.with_storefront_url(mail.storefront_url.as_str()))
}

/// The SMTP server of `SMTP_URL` (checked now: a malformed URL stops the start), else the
/// Maildir under `DATA_DIR/mail`.
fn mailer(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    let mail = &config.mail;
    // Empty counts as unset: compose passes optional variables through empty.
    let smtp_url = mail
        .smtp_url
        .as_deref()
        .filter(|url| !url.trim().is_empty());
    Ok(match smtp_url {
        Some(url) => {
            let timeout = Duration::from_millis(mail.smtp_timeout_ms);
            let smtp =
                SmtpMailer::new(url, timeout).map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?;
            Arc::new(smtp)
        }
        None => {
            let dir = config.maildir();
            if config.server.production {
                tracing::warn!(maildir = %dir.display(), "SMTP_URL is not set: mail is written to the Maildir, and nobody receives it");
            } else {
                tracing::info!(maildir = %dir.display(), "SMTP_URL is not set: mail is written to the Maildir");
            }
            Arc::new(MaildirMailer::new(dir))
        }
    })
}

/// The built-in providers, and `stripe` when STRIPE_SECRET_KEY is set (its client is built
/// here; nothing is asked of Stripe until a checkout). In production the `test` provider is
/// off unless PAYMENT_TEST_PROVIDER asks for it: its test cards would mark orders paid with
/// no money moving.
fn payment_providers(config: &Config) -> anyhow::Result<PaymentProviders> {
    let mut providers =
        PaymentProviders::default().with_capture(config.commerce.payment_capture.into());
    if config.server.production && !config.commerce.payment_test_provider {
        providers.remove("test");
    }
    if let Some(settings) = config.commerce.stripe() {
        providers.add(Arc::new(StripeProvider::new(&settings)?));
        tracing::info!(api = %settings.api_base, "the stripe payment provider is on");
    }
    Ok(providers)
}

/// Signs with `JWT_SECRET` (long enough: the command line checked it; required in production:
/// `Config::check` did), else with a random secret.
fn token_issuer(auth: &AuthConfig) -> anyhow::Result<TokenIssuer> {
    let secret = match &auth.jwt_secret {
        Some(secret) => secret.as_bytes().to_vec(),
        None => {
            tracing::warn!(
                "JWT_SECRET is not set: using a random secret; sign-ins end when the server restarts"
            );
            let mut secret = vec![0u8; crate::config::MIN_JWT_SECRET_BYTES];
            getrandom::fill(&mut secret)
                .map_err(|e| anyhow::anyhow!("no randomness for a JWT secret: {e}"))?;
            secret
        }
    };
    Ok(TokenIssuer::new(
        &secret,
        chrono::Duration::seconds(auth.access_token_ttl_secs),
        chrono::Duration::days(auth.refresh_token_ttl_days),
    ))
}

/// The per-client allowances: requests, sign-ins and discount codes, counted in `redis` when
/// there is one.
pub fn rate_limiter(config: &Config, redis: Option<SharedRedis>) -> RateLimiter {
    let codes_window = Duration::from_secs(config.commerce.discount_code_window_secs);
    RateLimiter::new(
        config.server.rate_limit_requests,
        Duration::from_secs(config.server.rate_limit_window_secs),
        redis,
    )
    .with(
        Allowance::SignIns,
        Limit::new(
            config.auth.sign_in_attempts,
            Duration::from_secs(config.auth.sign_in_window_secs),
        ),
    )
    .with(
        Allowance::CodesPerClient,
        Limit::new(
            config.commerce.discount_code_attempts_per_client,
            codes_window,
        ),
    )
    .with(
        Allowance::CodesPerCart,
        Limit::new(
            config.commerce.discount_code_attempts_per_cart,
            codes_window,
        ),
    )
    .with(
        Allowance::PasswordResetsPerClient,
        Limit::new(
            config.auth.password_resets_per_client,
            Duration::from_secs(60 * 60),
        ),
    )
    .with(
        Allowance::PasswordResetsPerEmail,
        Limit::new(
            config.auth.password_resets_per_email,
            Duration::from_secs(60 * 60),
        ),
    )
    .with(
        Allowance::BackInStock,
        Limit::new(
            config.reminders.back_in_stock_subscriptions_per_hour,
            Duration::from_secs(60 * 60),
        ),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(args: &[&str]) -> Config {
        use clap::Parser;
        let cli = crate::config::Cli::try_parse_from(
            std::iter::once("shopgraph").chain(args.iter().copied()),
        )
        .unwrap();
        cli.config
    }

    #[test]
    fn mail_settings_name_the_shop_and_trim_the_storefront() {
        let settings = mail_settings(&config(&[
            "--mail-from",
            "Acme Shop <orders@acme.example>",
            "--storefront-url",
            "https://acme.example/",
        ]))
        .unwrap();
        assert_eq!(settings.shop_name, "Acme Shop");
        assert_eq!(settings.storefront_url, "https://acme.example");
    }

    // The SMTP transport's connection pool lives on the runtime.
    #[tokio::test]
    async fn a_sender_that_is_no_address_or_a_malformed_smtp_url_stops_the_start() {
        let refused = mail_settings(&config(&["--mail-from", "not an address"]));
        assert!(refused.unwrap_err().to_string().contains("MAIL_FROM"));
        let refused = mailer(&config(&["--smtp-url", "ftp://mail.example"]));
        assert!(refused.err().unwrap().to_string().contains("SMTP_URL"));
        // Empty counts as unset (compose passes optional variables through empty).
        let maildir = mailer(&config(&["--smtp-url", ""])).unwrap();
        assert_eq!(maildir.kind(), "maildir");
        let smtp = mailer(&config(&["--smtp-url", "smtp://127.0.0.1:2525"])).unwrap();
        assert_eq!(smtp.kind(), "smtp");
    }
}
