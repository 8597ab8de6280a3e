//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its dependencies do).

use crate::redis_client;
use crate::server::ServerState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, Json<Value>) {
    let database = match state.app.db.ping().await {
        Ok(()) => "ok".to_owned(),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            "unreachable".to_owned()
        }
    };
    let mut checks = json!({ "database": database });
    if let Some(redis) = &state.redis {
        let answer = if redis_client::ping(&redis.connection).await {
            "ok"
        } else {
            tracing::warn!("readiness check: Redis unreachable");
            "unreachable"
        };
        checks["redis"] = json!(answer);
    }
    let ready = checks
        .as_object()
        .is_some_and(|checks| checks.values().all(|v| v == "ok"));
    // The search engine is reported but does not decide readiness: while it is down only
    // `search` fails, and taking every replica out of the load balancer for it would stop
    // carts and checkout too.
    let search = &state.app.search.backend;
    let search_ok = match search.health().await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(engine = search.name(), error = %err, "readiness check: search engine unreachable");
            false
        }
    };
    checks["search"] = json!(if search_ok { "ok" } else { "unreachable" });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let summary = match (ready, search_ok) {
        (false, _) => "unavailable",
        (true, false) => "degraded",
        (true, true) => "ready",
    };
    (status, Json(json!({ "status": summary, "checks": checks })))
}
