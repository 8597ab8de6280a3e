//! What every payment provider can be asked, and what it may answer.
//!
//! Providers are adapters: they talk to the outside world and never touch the database. The
//! order services (`orders::service::{checkout, money}`) decide what to ask and record the
//! answer through the order process table.

use futures_util::future::BoxFuture;

/// Whether an authorized payment is captured at once or later by staff
/// (`orderPaymentCapture`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaptureMode {
    /// Authorize and capture in one step (the default).
    #[default]
    Automatic,
    /// Authorize only; staff capture (all or part) when the goods ship, or void.
    Manual,
}

/// A payment to start at checkout.
#[derive(Clone, Debug)]
pub struct PaymentRequest<'a> {
    /// Our payment's id: the provider keeps it (metadata) so its webhooks name our payment
    /// even when they arrive before checkout has heard the answer.
    pub payment_id: uuid::Uuid,
    pub order_id: uuid::Uuid,
    pub order_number: i64,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: crate::common::money::CurrencyCode,
    /// What the storefront's payment form produced (a card token or a PaymentMethod id).
    pub token: Option<&'a str>,
    pub capture: CaptureMode,
    /// Sent to the provider so a retried call cannot charge twice.
    pub idempotency_key: String,
}

/// One follow-up call on an existing payment (capture, void or refund).
#[derive(Clone, Debug)]
pub struct Operation<'a> {
    /// Our order: providers keep it (metadata) so their webhooks name it.
    pub order_id: uuid::Uuid,
    /// Our refund, for a refund: its webhooks settle it by this id.
    pub refund_id: Option<uuid::Uuid>,
    /// The provider's id for the payment (`Payment.reference`); none for `manual`.
    pub reference: Option<&'a str>,
    /// Minor units; for a void, the amount being released.
    pub amount: i64,
    pub currency: crate::common::money::CurrencyCode,
    /// Our key for this one operation; the provider turns repeats of it into one.
    pub idempotency_key: String,
}

/// What the customer must do before a pending payment can complete (3-D Secure, a redirect
/// to a bank): the storefront hands `client_secret` to the provider's script, or sends the
/// buyer to `redirect_url`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NextAction {
    /// The provider's name for it, e.g. `use_stripe_sdk` or `redirect_to_url`.
    pub kind: String,
    pub client_secret: Option<String>,
    pub redirect_url: Option<String>,
}

/// A provider's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    /// Done now.
    Succeeded(T),
    /// Not decided yet: a webhook will say; the customer may have to act first.
    Pending {
        reference: Option<String>,
        next_action: Option<NextAction>,
    },
    /// Refused for good (card declined, authorization expired), with the reason to show.
    Declined { reason: String },
    /// Could not be done now (network, the provider's outage); nothing happened and the
    /// same call may be tried again.
    Failed { reason: String },
}

/// A started payment that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorized {
    /// The provider's id for the payment.
    pub reference: String,
    /// Whether the money was also captured (automatic capture, or a provider that only
    /// charges in one step).
    pub captured: bool,
}

/// A capture, void or refund that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// The provider's id for what it did (a refund id), when it has one.
    pub reference: Option<String>,
}

/// A way to get paid. Every call must be safe to repeat with the same idempotency key.
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;

    /// Whether the provider reports outcomes by webhook (and so may be given a secret).
    fn takes_webhooks(&self) -> bool {
        true
    }

    /// Starts a payment: authorizes it, and captures it too unless `capture` is manual and
    /// the provider can hold an authorization (one that cannot answers `captured: true`).
    fn authorize<'a>(&'a self, request: PaymentRequest<'a>) -> BoxFuture<'a, Outcome<Authorized>>;

    /// Captures `amount` of an authorized payment (at most what was authorized); the rest
    /// of the authorization is released.
    fn capture<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>>;

    /// Releases an authorization that was not captured.
    fn void<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>>;

    /// Gives `amount` of captured money back.
    fn refund<'a>(&'a self, operation: Operation<'a>) -> BoxFuture<'a, Outcome<Done>>;
}
