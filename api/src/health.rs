//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its dependencies do).

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
    let ready = database == "ok";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(
            json!({ "status": if ready { "ready" } else { "unavailable" }, "checks": { "database": database } }),
        ),
    )
}
