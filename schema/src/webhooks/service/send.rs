//! One attempt: POST the stored body to the webhook's URL with the Standard Webhooks headers,
//! outside any transaction, through a client that follows no redirects (a receiver could
//! otherwise bounce the request into a private network), uses no proxy from the environment,
//! gives up after 10 s, and connects only to addresses the SSRF guard checked
//! (`target::GuardedResolver`).

use super::secret;
use super::target::{GuardedResolver, TargetProblem, TargetRules, refusal_in};
use super::{SEND_TIMEOUT, WebhookSettings};
use crate::error::{ApiError, ApiResult};
use entities::webhook::Secret;
use entities::webhook_delivery;
use std::sync::Arc;

/// How an attempt went: a 2xx (`error` is `None`), or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub response_status: Option<u16>,
    /// Short, for staff (`lastError`); never holds the secret or the receiver's answer.
    pub error: Option<String>,
}

impl Attempt {
    fn failed(response_status: Option<u16>, error: impl Into<String>) -> Self {
        let mut error: String = error.into();
        if error.chars().count() > MAX_ERROR_LEN {
            error = error.chars().take(MAX_ERROR_LEN - 1).collect::<String>() + "…";
        }
        Self {
            response_status,
            error: Some(error),
        }
    }

    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// `webhook_deliveries.last_error` holds 500 characters.
const MAX_ERROR_LEN: usize = 500;

/// Sends deliveries; one per process, cheap to clone (one connection pool).
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    rules: TargetRules,
}

impl Sender {
    pub fn new(settings: &WebhookSettings) -> ApiResult<Self> {
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve and connect where the guard cannot see.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private_networks: settings.allow_private_networks,
            }))
            .user_agent(concat!("shopgraph-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Internal(format!("building the webhook client: {e}")))?;
        Ok(Self {
            client,
            rules: TargetRules {
                allow_private_networks: settings.allow_private_networks,
                require_https: settings.require_https,
            },
        })
    }

    /// POSTs `delivery` to `url`, signed with `secret` now.
    pub async fn send(
        &self,
        url: &str,
        secret: &Secret,
        delivery: &webhook_delivery::Model,
    ) -> Attempt {
        // The URL was checked when saved; the rules (production mode, the allow flag) or the
        // stored row may have changed since, and IP literals never reach the resolver.
        let url = match self.rules.parse(url) {
            Ok(url) => url,
            Err(problem) => return Attempt::failed(None, format!("refused: {problem}")),
        };
        let id = delivery.event_id.to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let signature = match secret::sign(secret, &id, timestamp, delivery.body.as_bytes()) {
            Ok(signature) => signature,
            Err(err) => {
                tracing::error!(delivery = %delivery.id, error = %err, "cannot sign a webhook delivery");
                return Attempt::failed(None, "internal error: the delivery could not be signed");
            }
        };
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.body.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Attempt {
                response_status: Some(response.status().as_u16()),
                error: None,
            },
            Ok(response) => {
                let status = response.status();
                let why = if status.is_redirection() {
                    format!("answered {status}; redirects are not followed")
                } else {
                    format!("answered {status}")
                };
                Attempt::failed(Some(status.as_u16()), why)
            }
            Err(err) => Attempt::failed(None, describe(&err)),
        }
    }
}

/// A transport failure in a few words.
fn describe(err: &reqwest::Error) -> String {
    match refusal_in(err) {
        Some(problem @ TargetProblem::Unresolvable(_)) => return problem.to_string(),
        Some(problem) => return format!("refused: {problem}"),
        None => {}
    }
    if err.is_timeout() {
        return format!("no answer within {} s", SEND_TIMEOUT.as_secs());
    }
    // The innermost cause says most ("Connection refused", "dns error …").
    let mut cause: &dyn std::error::Error = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    if err.is_connect() {
        format!("could not connect: {cause}")
    } else {
        format!("request failed: {cause}")
    }
}
