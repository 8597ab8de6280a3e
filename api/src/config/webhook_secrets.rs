//! `PAYMENT_WEBHOOK_SECRETS`: one HMAC secret per payment provider, checked against the
//! providers this build knows when the command line is parsed.

use super::invalid::InvalidValue;
use schema::payments::PaymentProviders;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

/// `provider=secret,provider=secret`: every provider known and taking webhooks (`manual`
/// takes none), named once, with a non-empty secret. `Debug` names the providers only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct WebhookSecrets(BTreeMap<String, String>);

impl WebhookSecrets {
    /// The provider `PAYMENT_WEBHOOK_SECRET` (the one-secret setting of old) belongs to.
    pub const LEGACY_PROVIDER: &'static str = "test";

    pub fn to_map(&self) -> HashMap<String, String> {
        self.0.clone().into_iter().collect()
    }
}

impl FromStr for WebhookSecrets {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let providers = PaymentProviders::default();
        let mut secrets = BTreeMap::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (name, secret) = entry
                .split_once('=')
                .map(|(name, secret)| (name.trim(), secret.trim()))
                .ok_or_else(|| InvalidValue::new("expected provider=secret entries"))?;
            match providers.get(name) {
                // Registered only with its key; its secret has a setting of its own.
                None if name == schema::payments::stripe::NAME => {
                    return Err(InvalidValue::new(
                        "`stripe`: give its secret in STRIPE_WEBHOOK_SECRET",
                    ));
                }
                None => {
                    return Err(InvalidValue::new(format!(
                        "`{name}`: no such payment provider (known: {})",
                        providers.names().join(", ")
                    )));
                }
                Some(provider) if !provider.takes_webhooks() => {
                    return Err(InvalidValue::new(format!(
                        "`{name}`: this provider takes no webhooks"
                    )));
                }
                Some(_) if secret.is_empty() => {
                    return Err(InvalidValue::new(format!("`{name}`: the secret is empty")));
                }
                Some(_) => {}
            }
            if secrets.insert(name.to_owned(), secret.to_owned()).is_some() {
                return Err(InvalidValue::new(format!("`{name}` is given twice")));
            }
        }
        Ok(Self(secrets))
    }
}

impl fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}
