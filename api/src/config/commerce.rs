//! Commerce settings: currency, carts, shipping and tax, the return window, the discount-code
//! budgets that stop code guessing, and payments: capture, Stripe, and the providers' webhook
//! secrets.

use super::invalid::InvalidValue;
use super::money::{Amounts, TaxRate, currency};
use super::stripe::{ApiBase, Capture, StripeKey};
use super::webhook_secrets::WebhookSecrets;
use clap::Args;
use schema::carts::service::CartRules;
use schema::common::money::CurrencyCode;
use schema::payments::stripe::{self, StripeSettings};
use schema::pricing::PricingSettings;
use std::collections::HashMap;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Commerce")]
pub struct CommerceConfig {
    /// Currency used when a query names none.
    #[arg(long, env = "DEFAULT_CURRENCY", default_value = "USD", value_parser = currency)]
    pub default_currency: CurrencyCode,

    /// Most different items (lines) one cart may hold.
    #[arg(long, env = "MAX_CART_LINES", default_value_t = 100)]
    pub max_cart_lines: usize,

    /// `lowStock` reports variants at or below this availability (unless a variant sets its
    /// own threshold).
    #[arg(long, env = "LOW_STOCK_THRESHOLD", default_value_t = 5)]
    pub low_stock_threshold: i32,

    /// Flat shipping rate per currency, e.g. `USD=5.00,EUR=4.50` (unlisted currencies: 5.00).
    #[arg(long, env = "SHIPPING_RATES", default_value = "")]
    pub shipping_rates: Amounts,

    /// Shipping is free from this discounted subtotal, e.g. `USD=50.00` (unlisted: 50.00).
    #[arg(long, env = "FREE_SHIPPING_OVER", default_value = "")]
    pub free_shipping_over: Amounts,

    /// Tax rate in percent on goods after discounts, e.g. `8.25` (shipping is not taxed).
    #[arg(long, env = "TAX_RATE", default_value = "0")]
    pub tax_rate: TaxRate,

    /// Catalog prices include tax (the tax total is then the part they contain).
    #[arg(long, env = "TAX_INCLUSIVE", default_value_t = false, action = clap::ArgAction::Set)]
    pub tax_inclusive: bool,

    /// Days after delivery (the order's last shipment arriving) a customer may ask to return
    /// units; 0 closes returns as soon as the goods arrive.
    #[arg(long, env = "RETURN_WINDOW_DAYS", default_value_t = 30)]
    pub return_window_days: u32,

    /// Discount codes one client (account, else IP address) may try per discount-code window,
    /// over all its carts; codes already on the cart are not tried again (0: no limit).
    #[arg(long, env = "DISCOUNT_CODE_ATTEMPTS_PER_CLIENT", default_value_t = 30)]
    pub discount_code_attempts_per_client: u32,

    /// Discount codes that may be tried on one cart per discount-code window, whoever tries
    /// them (0: no limit).
    #[arg(long, env = "DISCOUNT_CODE_ATTEMPTS_PER_CART", default_value_t = 10)]
    pub discount_code_attempts_per_cart: u32,

    /// Length of the discount-code window in seconds.
    #[arg(long, env = "DISCOUNT_CODE_WINDOW_SECS", default_value_t = 3600)]
    pub discount_code_window_secs: u64,

    /// Webhook secret (HMAC-SHA256) of the `test` payment provider; kept from when one
    /// secret served every provider. Same as `PAYMENT_WEBHOOK_SECRETS=test=<secret>`.
    #[arg(long, env = "PAYMENT_WEBHOOK_SECRET", hide_env_values = true)]
    pub payment_webhook_secret: Option<String>,

    /// Webhook secrets per payment provider, `provider=secret,provider=secret` (HMAC-SHA256).
    /// A provider without a secret takes no webhooks (404); `manual` takes none at all.
    #[arg(long, env = "PAYMENT_WEBHOOK_SECRETS", hide_env_values = true)]
    pub payment_webhook_secrets: Option<WebhookSecrets>,

    /// Accept the `test` payment provider (test cards that "pay" without money moving) in
    /// production mode too, for a staging server. Development always accepts it.
    #[arg(long, env = "PAYMENT_TEST_PROVIDER")]
    pub payment_test_provider: bool,

    /// Whether checkout takes the money (`automatic`) or only authorizes it (`manual`: staff
    /// capture or void later, with providers that can hold an authorization).
    #[arg(long, env = "PAYMENT_CAPTURE", value_enum, ignore_case = true, default_value_t = Capture::Automatic)]
    pub payment_capture: Capture,

    /// Stripe secret key (`sk_…`/`rk_…`); when set, the `stripe` payment provider is offered.
    #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<StripeKey>,

    /// Signing secret of the Stripe webhook endpoint (`whsec_…`) for
    /// `/webhooks/payments/stripe`; required with STRIPE_SECRET_KEY in production.
    #[arg(long, env = "STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,

    /// Stripe's API origin. Production uses the real API (the default); tests point it at a
    /// stand-in.
    #[arg(long, env = "STRIPE_API_BASE", default_value = stripe::DEFAULT_API_BASE)]
    pub stripe_api_base: ApiBase,
}

impl CommerceConfig {
    /// Cart limits, shipping and tax.
    pub fn cart_rules(&self) -> CartRules {
        CartRules {
            max_lines: self.max_cart_lines.max(1),
            pricing: PricingSettings {
                shipping_rates: self.shipping_rates.minor_units().clone(),
                free_shipping_over: self.free_shipping_over.minor_units().clone(),
                tax_rate_bps: self.tax_rate.basis_points(),
                tax_inclusive: self.tax_inclusive,
            },
            shipping_rates: Default::default(),
        }
    }

    /// Stripe's settings, when STRIPE_SECRET_KEY is set.
    pub fn stripe(&self) -> Option<StripeSettings> {
        self.stripe_secret_key.as_ref().map(|key| StripeSettings {
            api_base: self.stripe_api_base.as_str().to_owned(),
            ..StripeSettings::new(key.as_str())
        })
    }

    /// What only the Stripe settings together can refuse.
    pub fn check_stripe(&self, production: bool) -> Result<(), InvalidValue> {
        let webhook_secret = self.stripe_webhook_secret();
        match (&self.stripe_secret_key, webhook_secret) {
            (None, Some(_)) => Err(InvalidValue::new(
                "STRIPE_WEBHOOK_SECRET is set but STRIPE_SECRET_KEY is not: the stripe provider is off",
            )),
            (Some(_), None) if production => Err(InvalidValue::new(
                "STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY in production mode: \
                 without Stripe's webhooks, payments that need the customer (3-D Secure) never settle",
            )),
            _ => Ok(()),
        }
    }

    fn stripe_webhook_secret(&self) -> Option<&str> {
        self.stripe_webhook_secret
            .as_deref()
            .map(str::trim)
            .filter(|secret| !secret.is_empty())
    }

    /// The webhook secret of each provider that takes webhooks: PAYMENT_WEBHOOK_SECRETS,
    /// PAYMENT_WEBHOOK_SECRET for `test` and STRIPE_WEBHOOK_SECRET for `stripe`. Naming `test`
    /// in both of the first two is refused: which one the provider signs with would be a guess.
    pub fn webhook_secrets(&self) -> Result<HashMap<String, String>, InvalidValue> {
        let mut secrets = self
            .payment_webhook_secrets
            .as_ref()
            .map(WebhookSecrets::to_map)
            .unwrap_or_default();
        let legacy = self
            .payment_webhook_secret
            .as_deref()
            .map(str::trim)
            .filter(|secret| !secret.is_empty());
        if let Some(secret) = legacy
            && secrets
                .insert(
                    WebhookSecrets::LEGACY_PROVIDER.to_owned(),
                    secret.to_owned(),
                )
                .is_some()
        {
            return Err(InvalidValue::new(
                "PAYMENT_WEBHOOK_SECRET and PAYMENT_WEBHOOK_SECRETS both give the `test` \
                 provider's secret; keep one",
            ));
        }
        if let Some(secret) = self.stripe_webhook_secret() {
            secrets.insert(stripe::NAME.to_owned(), secret.to_owned());
        }
        Ok(secrets)
    }
}
