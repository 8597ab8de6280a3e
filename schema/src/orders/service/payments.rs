//! Payment providers. Checkout commits the order first and then asks the provider; a
//! provider either answers at once (`test`), or later through a signed webhook, or never
//! (`manual`: staff mark the order paid).

use futures_util::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;

/// What a provider says about a charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Paid now; `reference` is the provider's id for the payment.
    Paid { reference: String },
    /// Refused now, with the reason to show the shopper.
    Declined { reason: String },
    /// Nothing known yet: staff (manual) or a webhook will say.
    Pending { reference: Option<String> },
}

/// A charge to make.
#[derive(Clone, Debug)]
pub struct Charge<'a> {
    pub order_number: i64,
    pub amount: i64,
    pub currency: &'a str,
    /// What the storefront's payment form produced (a card token); provider-specific.
    pub token: Option<&'a str>,
}

/// A way to get paid. Implementations must be quick or asynchronous (webhooks): checkout
/// waits for `charge`.
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;
    /// Whether the provider reports outcomes by webhook (and so may be given a secret).
    fn takes_webhooks(&self) -> bool {
        true
    }
    fn charge<'a>(&'a self, charge: Charge<'a>) -> BoxFuture<'a, ChargeOutcome>;
}

/// Pay outside the system (bank transfer, cash on delivery): the order stays PLACED until
/// staff run `orderMarkPaid`.
pub struct ManualProvider;

impl PaymentProvider for ManualProvider {
    fn name(&self) -> &'static str {
        "manual"
    }

    /// Staff record manual payments; nobody outside may.
    fn takes_webhooks(&self) -> bool {
        false
    }

    fn charge<'a>(&'a self, _charge: Charge<'a>) -> BoxFuture<'a, ChargeOutcome> {
        Box::pin(async { ChargeOutcome::Pending { reference: None } })
    }
}

/// A card-like provider for development and tests: token `tok_visa` pays, `tok_declined`
/// is declined, `tok_pending` waits for a webhook, anything else is declined as an invalid
/// card.
pub struct TestProvider;

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn charge<'a>(&'a self, charge: Charge<'a>) -> BoxFuture<'a, ChargeOutcome> {
        Box::pin(async move { Self::decide(&charge) })
    }
}

impl TestProvider {
    fn decide(charge: &Charge<'_>) -> ChargeOutcome {
        match charge.token {
            Some("tok_visa") => ChargeOutcome::Paid {
                reference: format!(
                    "test_{}_{}",
                    charge.order_number,
                    uuid::Uuid::new_v4().simple()
                ),
            },
            // Like a card needing 3-D Secure: the outcome arrives later by webhook.
            Some("tok_pending") => ChargeOutcome::Pending {
                reference: Some(format!("test_{}_pending", charge.order_number)),
            },
            Some("tok_declined") => ChargeOutcome::Declined {
                reason: "the card was declined".into(),
            },
            _ => ChargeOutcome::Declined {
                reason: "the card token is not valid (use tok_visa, tok_declined or tok_pending)"
                    .into(),
            },
        }
    }
}

/// The providers this server accepts, by name.
#[derive(Clone)]
pub struct PaymentProviders(HashMap<&'static str, Arc<dyn PaymentProvider>>);

impl Default for PaymentProviders {
    fn default() -> Self {
        let mut providers: HashMap<&'static str, Arc<dyn PaymentProvider>> = HashMap::new();
        for provider in [
            Arc::new(ManualProvider) as Arc<dyn PaymentProvider>,
            Arc::new(TestProvider),
        ] {
            providers.insert(provider.name(), provider);
        }
        Self(providers)
    }
}

impl PaymentProviders {
    pub fn get(&self, name: &str) -> Option<Arc<dyn PaymentProvider>> {
        self.0.get(name).cloned()
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.0.keys().copied().collect();
        names.sort_unstable();
        names
    }
}
