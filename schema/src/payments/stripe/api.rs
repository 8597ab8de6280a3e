//! The HTTP calls to Stripe: form-encoded bodies (nested keys flattened as `a[b]`), the secret
//! key as a bearer token, and the operation's idempotency key on every POST so that a retry
//! after a timeout replays Stripe's first answer instead of charging again.
//!
//! Answers are sorted by what the caller can do about them ([`CallError`]); Stripe's error
//! text travels only as its `message` (written for end users), never the whole body.

use super::objects::{ErrorBody, ErrorObject};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;

/// Form parameters, in order: `("metadata[order_id]", "…")`.
pub type Params = Vec<(&'static str, String)>;

/// Why a call brought back no object.
#[derive(Debug, PartialEq, Eq)]
pub enum CallError {
    /// 402: the payment method was refused; `message` is Stripe's text for the buyer.
    Card { message: String },
    /// A 4xx that asking again will not change (bad parameters, a wrong state).
    Refused { status: u16, error: String },
    /// 401/403: Stripe refused our key. The operator's to fix; never shown to buyers.
    Credentials,
    /// Nothing can be concluded and asking again with the same key is safe: no answer (network,
    /// timeout), 409 (the key is in use by a concurrent request), 429 or 5xx.
    Transient(String),
    /// A 2xx whose body we could not read: Stripe did it, we do not know the details.
    Unreadable(String),
}

impl CallError {
    /// The message to record and show for a refusal.
    pub fn reason(&self) -> String {
        match self {
            Self::Card { message } => message.clone(),
            Self::Refused { error, .. } => error.clone(),
            Self::Credentials => "the payment provider is not available (configuration)".into(),
            Self::Transient(why) | Self::Unreadable(why) => why.clone(),
        }
    }
}

pub struct Api {
    client: reqwest::Client,
    base: String,
    secret_key: String,
}

impl fmt::Debug for Api {
    /// Never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api").field("base", &self.base).finish()
    }
}

impl Api {
    pub fn new(base: &str, secret_key: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("shopgraph/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }

    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &Params,
        idempotency_key: &str,
    ) -> Result<T, CallError> {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Idempotency-Key", idempotency_key)
            .form(params);
        self.send(request).await
    }

    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, CallError> {
        let response = request
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|err| CallError::Transient(transport(&err)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|err| CallError::Transient(transport(&err)))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|err| {
                tracing::error!(error = %err, "Stripe's answer could not be read");
                CallError::Unreadable("the payment provider's answer could not be read".into())
            });
        }
        let error = serde_json::from_slice::<ErrorBody>(&body)
            .map(|b| b.error)
            .unwrap_or_default();
        Err(classify(status, &error))
    }
}

/// A non-2xx answer, by what can be done about it.
fn classify(status: StatusCode, error: &ErrorObject) -> CallError {
    let message = error
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("the payment provider answered {}", status.as_u16()));
    match status.as_u16() {
        402 => {
            tracing::info!(
                code = error.code.as_deref().unwrap_or(""),
                decline_code = error.decline_code.as_deref().unwrap_or(""),
                "Stripe declined a payment method"
            );
            CallError::Card { message }
        }
        401 | 403 => {
            // The message names part of the key: logged without it.
            tracing::error!(
                status = status.as_u16(),
                kind = %error.kind,
                "Stripe refused the secret key (STRIPE_SECRET_KEY)"
            );
            CallError::Credentials
        }
        409 | 429 => CallError::Transient(message),
        500.. => CallError::Transient(message),
        code => {
            tracing::warn!(
                status = code,
                kind = %error.kind,
                code = error.code.as_deref().unwrap_or(""),
                message = %message,
                "Stripe refused a request"
            );
            CallError::Refused {
                status: code,
                error: message,
            }
        }
    }
}

fn transport(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "the payment provider did not answer in time".into()
    } else if err.is_connect() {
        "the payment provider could not be reached".into()
    } else {
        "the connection to the payment provider failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: &str, message: Option<&str>) -> ErrorObject {
        ErrorObject {
            kind: kind.into(),
            message: message.map(str::to_owned),
            ..ErrorObject::default()
        }
    }

    #[test]
    fn answers_are_sorted_by_what_can_be_done() {
        let declined = error("card_error", Some("Your card was declined."));
        assert_eq!(
            classify(StatusCode::PAYMENT_REQUIRED, &declined),
            CallError::Card {
                message: "Your card was declined.".into()
            }
        );
        let invalid = error("invalid_request_error", Some("Amount must be at least 50"));
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, &invalid),
            CallError::Refused {
                status: 400,
                error: "Amount must be at least 50".into()
            }
        );
        let key = error(
            "invalid_request_error",
            Some("Invalid API Key provided: sk_test_****"),
        );
        let refused = classify(StatusCode::UNAUTHORIZED, &key);
        assert_eq!(refused, CallError::Credentials);
        assert!(!refused.reason().contains("sk_"), "{}", refused.reason());
        for status in [409, 429, 500, 502, 503] {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            assert!(matches!(
                classify(status, &error("api_error", None)),
                CallError::Transient(_)
            ));
        }
        // No message: the status stands in.
        assert_eq!(
            classify(StatusCode::NOT_FOUND, &ErrorObject::default()).reason(),
            "the payment provider answered 404"
        );
    }
}
