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
    // The search engine: searches fail while it is down (writes do not wait for it).
    let search = &state.app.search.backend;
    checks["search"] = match search.health().await {
        Ok(()) => json!("ok"),
        Err(err) => {
            tracing::warn!(engine = search.name(), error = %err, "readiness check: search engine unreachable");
            json!("unreachable")
        }
    };
    let ready = checks
        .as_object()
        .is_some_and(|checks| checks.values().all(|v| v == "ok"));
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({ "status": if ready { "ready" } else { "unavailable" }, "checks": checks })),
    )
}
