//! A stand-in for Stripe, owned by the test suite: an axum server on a loopback port that
//! answers the few endpoints the `stripe` provider calls the way Stripe's API reference says
//! they answer, keeps what it was asked, and sends webhook events signed like Stripe's.
//!
//! - Requests are form-encoded and carry `Authorization: Bearer <secret key>` (anything else
//!   is 401 with Stripe's error object).
//! - `POST /v1/payment_intents` (confirm=true only), `/v1/payment_intents/{id}/capture`,
//!   `/v1/payment_intents/{id}/cancel`, `POST /v1/refunds`, `GET /v1/payment_intents/{id}`.
//! - Stripe's test PaymentMethods: `pm_card_visa` pays, `pm_card_chargeDeclined` is a 402
//!   `card_error`/`card_declined`, `pm_card_authenticationRequired` waits in `requires_action`
//!   (`use_stripe_sdk`), and refunds of a `pm_card_refundFail` payment come back `failed`
//!   (`expired_or_canceled_card`; real Stripe reports them `succeeded` first and fails them a
//!   moment later by `charge.refund.updated`, which a stand-in without a clock folds into one).
//! - Idempotency as Stripe documents it: the first answer to a key (status and body) is
//!   replayed for the same key, and the same key with other parameters is a 400
//!   `idempotency_error`.
//! - Faults on demand: [`StripeStandIn::fail_next`] makes the next calls 500 before they reach
//!   the "API" (as a proxy or network fault would), so nothing is saved under their keys.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The secret key the stand-in accepts.
pub const STRIPE_SECRET_KEY: &str = "sk_test_standin0123456789";
/// The signing secret of the webhook endpoint it sends events to.
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_standin";

/// One request as the stand-in received it.
#[derive(Clone, Debug)]
pub struct StripeRequest {
    pub method: &'static str,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub params: BTreeMap<String, String>,
}

impl StripeRequest {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

/// The first answer given to an idempotency key.
struct Saved {
    path: String,
    params: BTreeMap<String, String>,
    status: StatusCode,
    body: Value,
}

#[derive(Default)]
struct Ledger {
    intents: HashMap<String, Value>,
    /// Minor units refunded so far, per intent (failed refunds not counted).
    refunded: HashMap<String, i64>,
    saved: HashMap<String, Saved>,
    requests: Vec<StripeRequest>,
    fail_next: usize,
    /// Where to send `payment_intent.succeeded` before answering the next create call.
    early_webhook: Option<String>,
    /// What our server answered to those early webhooks.
    early_answers: Vec<(u16, Value)>,
}

type Shared = Arc<Mutex<Ledger>>;

pub struct StripeStandIn {
    addr: SocketAddr,
    ledger: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StripeStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl StripeStandIn {
    pub async fn start() -> anyhow::Result<Self> {
        let ledger = Shared::default();
        let router = Router::new()
            .route("/v1/payment_intents", post(create_intent))
            .route("/v1/payment_intents/{id}", get(read_intent))
            .route("/v1/payment_intents/{id}/capture", post(capture_intent))
            .route("/v1/payment_intents/{id}/cancel", post(cancel_intent))
            .route("/v1/refunds", post(create_refund))
            .with_state(ledger.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { addr, ledger, task })
    }

    /// The API base to configure (`STRIPE_API_BASE`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap()
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<StripeRequest> {
        self.ledger().requests.clone()
    }

    /// The requests to `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<StripeRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }

    /// The intent as Stripe holds it now.
    pub fn intent(&self, id: &str) -> Option<Value> {
        self.ledger().intents.get(id).cloned()
    }

    /// The next `n` calls answer 500 without doing anything.
    pub fn fail_next(&self, n: usize) {
        self.ledger().fail_next = n;
    }

    /// The next create call that succeeds first delivers `payment_intent.succeeded` to
    /// `webhook_url` (signed with [`STRIPE_WEBHOOK_SECRET`]) and only then answers.
    pub fn succeed_by_webhook_first(&self, webhook_url: String) {
        self.ledger().early_webhook = Some(webhook_url);
    }

    /// What the server answered to the webhooks sent before answering a create call.
    pub fn early_answers(&self) -> Vec<(u16, Value)> {
        self.ledger().early_answers.clone()
    }

    /// The customer completes the action an intent waits for (3-D Secure): it succeeds (or
    /// awaits capture). Returns the intent, for the event to send.
    pub fn authenticate(&self, id: &str) -> Value {
        let mut ledger = self.ledger();
        let intent = ledger.intents.get_mut(id).expect("no such intent");
        assert_eq!(intent["status"], "requires_action", "{intent}");
        let amount = intent["amount"].as_i64().unwrap();
        if intent["capture_method"] == "manual" {
            intent["status"] = json!("requires_capture");
            intent["amount_capturable"] = json!(amount);
        } else {
            intent["status"] = json!("succeeded");
            intent["amount_received"] = json!(amount);
        }
        intent["next_action"] = Value::Null;
        intent.clone()
    }
}

/// A `Stripe-Signature` header for `body` at `timestamp`, computed as Stripe documents it.
pub fn signature(secret: &str, body: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// An Event object of `event_type` about `object`.
pub fn event(event_type: &str, object: Value) -> Value {
    json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "object": "event",
        "api_version": "2024-06-20",
        "created": chrono::Utc::now().timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "type": event_type,
        "data": { "object": object },
    })
}

/// Posts `body` to `url` with `signature` as Stripe's header; the status and JSON answer.
pub async fn post_event(url: &str, body: &str, signature: &str) -> anyhow::Result<(u16, Value)> {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("stripe-signature", signature)
        .body(body.to_owned())
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Sends a signed event of `event_type` about `object` to `url`, now; the status and answer.
pub async fn send_event(
    url: &str,
    secret: &str,
    event_type: &str,
    object: Value,
) -> anyhow::Result<(u16, Value)> {
    let body = event(event_type, object).to_string();
    let signed = signature(secret, &body, chrono::Utc::now().timestamp());
    post_event(url, &body, &signed).await
}

fn error(status: StatusCode, kind: &str, code: Option<&str>, message: &str) -> (StatusCode, Value) {
    (
        status,
        json!({ "error": { "type": kind, "code": code, "message": message } }),
    )
}

fn invalid(code: Option<&str>, message: &str) -> (StatusCode, Value) {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        code,
        message,
    )
}

fn missing(what: &str, id: &str) -> (StatusCode, Value) {
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("resource_missing"),
        &format!("No such {what}: '{id}'"),
    )
}

/// What every call goes through: recorded, authenticated, faults injected, idempotency.
fn call(
    ledger: &Shared,
    method: &'static str,
    path: String,
    headers: &HeaderMap,
    params: Vec<(String, String)>,
    operation: impl FnOnce(&mut Ledger, &BTreeMap<String, String>) -> (StatusCode, Value),
) -> (StatusCode, Value) {
    let params: BTreeMap<String, String> = params.into_iter().collect();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut ledger = ledger.lock().unwrap();
    ledger.requests.push(StripeRequest {
        method,
        path: path.clone(),
        idempotency_key: key.clone(),
        params: params.clone(),
    });
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(STRIPE_SECRET_KEY) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            "Invalid API Key provided: sk_test_****",
        );
    }
    if ledger.fail_next > 0 {
        ledger.fail_next -= 1;
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            None,
            "An unknown error occurred",
        );
    }
    if let Some(key) = &key
        && let Some(saved) = ledger.saved.get(key)
    {
        if saved.path != path || saved.params != params {
            return error(
                StatusCode::BAD_REQUEST,
                "idempotency_error",
                None,
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            );
        }
        return (saved.status, saved.body.clone());
    }
    let (status, body) = operation(&mut ledger, &params);
    if let Some(key) = key {
        ledger.saved.insert(
            key,
            Saved {
                path,
                params,
                status,
                body: body.clone(),
            },
        );
    }
    (status, body)
}

fn respond((status, body): (StatusCode, Value)) -> Response {
    (status, Json(body)).into_response()
}

async fn create_intent(
    State(ledger): State<Shared>,
    headers: HeaderMap,
    Form(params): Form<Vec<(String, String)>>,
) -> Response {
    let path = "/v1/payment_intents".to_owned();
    let (status, body) = call(&ledger, "POST", path, &headers, params, new_intent);
    let early = match body["status"].as_str() {
        Some("succeeded" | "requires_capture") => ledger.lock().unwrap().early_webhook.take(),
        _ => None,
    };
    if let Some(url) = early {
        // Stripe's webhook can overtake its own answer: the server must end in one state.
        let answer = send_event(
            &url,
            STRIPE_WEBHOOK_SECRET,
            "payment_intent.succeeded",
            body.clone(),
        )
        .await
        .unwrap_or((0, json!("not delivered")));
        ledger.lock().unwrap().early_answers.push(answer);
    }
    respond((status, body))
}

fn new_intent(ledger: &mut Ledger, params: &BTreeMap<String, String>) -> (StatusCode, Value) {
    let Some(amount) = params.get("amount").and_then(|a| a.parse::<i64>().ok()) else {
        return invalid(Some("parameter_missing"), "Missing required param: amount.");
    };
    if amount < 1 {
        return invalid(
            Some("amount_too_small"),
            "Amount must be at least 1 unit of the currency",
        );
    }
    let currency = params.get("currency").cloned().unwrap_or_default();
    if currency.len() != 3 || currency != currency.to_ascii_lowercase() {
        return invalid(Some("parameter_invalid_string"), "Invalid currency.");
    }
    if params.get("confirm").map(String::as_str) != Some("true") {
        return invalid(None, "The stand-in only creates confirmed PaymentIntents.");
    }
    let Some(method) = params.get("payment_method").cloned() else {
        return invalid(
            Some("parameter_missing"),
            "Missing required param: payment_method.",
        );
    };
    let capture_method = params
        .get("capture_method")
        .cloned()
        .unwrap_or_else(|| "automatic".into());
    let metadata: serde_json::Map<String, Value> = params
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("metadata[")?.strip_suffix(']')?;
            Some((key.to_owned(), json!(v)))
        })
        .collect();
    let id = format!("pi_{}", uuid::Uuid::new_v4().simple());
    let mut intent = json!({
        "id": id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "currency": currency,
        "capture_method": capture_method,
        "confirmation_method": "automatic",
        "client_secret": format!("{id}_secret_{}", uuid::Uuid::new_v4().simple()),
        "payment_method": method,
        "metadata": metadata,
        "next_action": null,
        "last_payment_error": null,
        "cancellation_reason": null,
        "livemode": false,
        "status": "requires_confirmation",
    });
    let answer = match method.as_str() {
        "pm_card_visa" | "pm_card_refundFail" => {
            if capture_method == "manual" {
                intent["status"] = json!("requires_capture");
                intent["amount_capturable"] = json!(amount);
            } else {
                intent["status"] = json!("succeeded");
                intent["amount_received"] = json!(amount);
            }
            (StatusCode::OK, intent.clone())
        }
        "pm_card_authenticationRequired" => {
            intent["status"] = json!("requires_action");
            intent["next_action"] = json!({
                "type": "use_stripe_sdk",
                "use_stripe_sdk": { "type": "three_d_secure_redirect" },
            });
            (StatusCode::OK, intent.clone())
        }
        "pm_card_chargeDeclined" => {
            let declined = json!({
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
            });
            intent["status"] = json!("requires_payment_method");
            intent["last_payment_error"] = declined.clone();
            let mut body = json!({ "error": declined });
            body["error"]["payment_intent"] = intent.clone();
            (StatusCode::PAYMENT_REQUIRED, body)
        }
        other => return missing("PaymentMethod", other),
    };
    ledger.intents.insert(id, intent);
    answer
}

async fn read_intent(
    State(ledger): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/v1/payment_intents/{id}");
    respond(call(
        &ledger,
        "GET",
        path,
        &headers,
        Vec::new(),
        |ledger, _| match ledger.intents.get(&id) {
            Some(intent) => (StatusCode::OK, intent.clone()),
            None => missing("payment_intent", &id),
        },
    ))
}

fn unexpected_state(intent: &Value, what: &str, allowed: &str) -> (StatusCode, Value) {
    invalid(
        Some("payment_intent_unexpected_state"),
        &format!(
            "This PaymentIntent could not be {what} because it has a status of {}. Only a PaymentIntent with one of the following statuses may be {what}: {allowed}.",
            intent["status"].as_str().unwrap_or_default()
        ),
    )
}

async fn capture_intent(
    State(ledger): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(params): Form<Vec<(String, String)>>,
) -> Response {
    let path = format!("/v1/payment_intents/{id}/capture");
    respond(call(
        &ledger,
        "POST",
        path,
        &headers,
        params,
        |ledger, params| {
            let Some(intent) = ledger.intents.get_mut(&id) else {
                return missing("payment_intent", &id);
            };
            if intent["status"] != "requires_capture" {
                return unexpected_state(intent, "captured", "requires_capture");
            }
            let capturable = intent["amount_capturable"].as_i64().unwrap_or_default();
            let amount = match params.get("amount_to_capture") {
                Some(amount) => match amount.parse::<i64>() {
                    Ok(amount) if amount >= 1 => amount,
                    _ => return invalid(Some("parameter_invalid_integer"), "Invalid integer."),
                },
                None => capturable,
            };
            if amount > capturable {
                return invalid(
                    Some("amount_too_large"),
                    "The amount to capture cannot be greater than the amount capturable.",
                );
            }
            intent["status"] = json!("succeeded");
            intent["amount_received"] = json!(amount);
            intent["amount_capturable"] = json!(0);
            (StatusCode::OK, intent.clone())
        },
    ))
}

async fn cancel_intent(
    State(ledger): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(params): Form<Vec<(String, String)>>,
) -> Response {
    let path = format!("/v1/payment_intents/{id}/cancel");
    respond(call(
        &ledger,
        "POST",
        path,
        &headers,
        params,
        |ledger, params| {
            let Some(intent) = ledger.intents.get_mut(&id) else {
                return missing("payment_intent", &id);
            };
            let cancelable = [
                "requires_payment_method",
                "requires_capture",
                "requires_confirmation",
                "requires_action",
                "processing",
            ];
            if !cancelable.iter().any(|s| intent["status"] == *s) {
                return unexpected_state(intent, "canceled", &cancelable.join(", "));
            }
            intent["status"] = json!("canceled");
            intent["amount_capturable"] = json!(0);
            intent["next_action"] = Value::Null;
            intent["cancellation_reason"] = json!(params.get("cancellation_reason"));
            (StatusCode::OK, intent.clone())
        },
    ))
}

async fn create_refund(
    State(ledger): State<Shared>,
    headers: HeaderMap,
    Form(params): Form<Vec<(String, String)>>,
) -> Response {
    let path = "/v1/refunds".to_owned();
    respond(call(&ledger, "POST", path, &headers, params, new_refund))
}

fn new_refund(ledger: &mut Ledger, params: &BTreeMap<String, String>) -> (StatusCode, Value) {
    let Some(id) = params.get("payment_intent") else {
        return invalid(
            Some("parameter_missing"),
            "One of the following params should be provided for this request: payment_intent or charge.",
        );
    };
    let Some(intent) = ledger.intents.get(id).cloned() else {
        return missing("payment_intent", id);
    };
    if intent["status"] != "succeeded" {
        return invalid(
            Some("charge_not_captured"),
            "This PaymentIntent has no captured charge to refund.",
        );
    }
    let received = intent["amount_received"].as_i64().unwrap_or_default();
    let refunded = ledger.refunded.get(id).copied().unwrap_or_default();
    if refunded >= received {
        return invalid(
            Some("charge_already_refunded"),
            &format!("Charge for {id} has already been refunded."),
        );
    }
    let amount = match params.get("amount").map(|a| a.parse::<i64>()) {
        None => received - refunded,
        Some(Ok(amount)) if amount >= 1 => amount,
        Some(_) => return invalid(Some("parameter_invalid_integer"), "Invalid integer."),
    };
    if amount > received - refunded {
        return invalid(
            Some("amount_too_large"),
            &format!(
                "Refund amount ({amount}) is greater than unrefunded amount on charge ({})",
                received - refunded
            ),
        );
    }
    let metadata: serde_json::Map<String, Value> = params
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("metadata[")?.strip_suffix(']')?;
            Some((key.to_owned(), json!(v)))
        })
        .collect();
    let fails = intent["payment_method"] == "pm_card_refundFail";
    if !fails {
        *ledger.refunded.entry(id.clone()).or_default() += amount;
    }
    (
        StatusCode::OK,
        json!({
            "id": format!("re_{}", uuid::Uuid::new_v4().simple()),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": id,
            "metadata": metadata,
            "status": if fails { "failed" } else { "succeeded" },
            "failure_reason": if fails { json!("expired_or_canceled_card") } else { Value::Null },
        }),
    )
}
