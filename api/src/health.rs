//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its dependencies do).

use crate::state::ServerState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Longest wait for any one check: `/readyz` answers within about this long (the checks
/// run side by side), well inside a probe's timeout, even when a dependency hangs.
const CHECK_TIMEOUT: Duration = Duration::from_millis(1500);

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Only the database decides readiness. Redis and the search engine are reported (`ok` or
/// `degraded`) but keep the replica in the load balancer: without Redis requests take their
/// in-process paths, without the engine only `search` fails, and taking every replica out
/// for either would stop carts and checkout too.
pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, Json<Value>) {
    let (database_ok, redis_ok, search_ok) =
        tokio::join!(database(&state), redis(&state), search(&state));
    let mut checks = json!({
        "database": if database_ok { "ok" } else { "unreachable" },
        "search": if search_ok { "ok" } else { "unreachable" },
    });
    if let Some(redis_ok) = redis_ok {
        checks["redis"] = json!(if redis_ok { "ok" } else { "degraded" });
    }
    let (status, summary) = match (database_ok, redis_ok != Some(false) && search_ok) {
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        (true, false) => (StatusCode::OK, "degraded"),
        (true, true) => (StatusCode::OK, "ready"),
    };
    (status, Json(json!({ "status": summary, "checks": checks })))
}

async fn database(state: &ServerState) -> bool {
    match tokio::time::timeout(CHECK_TIMEOUT, state.app.db.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            false
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer in time");
            false
        }
    }
}

/// `None` without Redis. The ping goes through the circuit breaker: while the circuit is
/// open it is refused at once (the breaker logged the outage), and once the cool-down is
/// over it serves as the probe, so an idle replica notices Redis coming back.
async fn redis(state: &ServerState) -> Option<bool> {
    let redis = state.redis.as_ref()?;
    Some(redis.ping().await)
}

async fn search(state: &ServerState) -> bool {
    let search = &state.app.search.backend;
    match tokio::time::timeout(CHECK_TIMEOUT, search.health()).await {
        Ok(Ok(())) => true,
        Ok(Err(err)) => {
            tracing::warn!(engine = search.name(), error = %err, "readiness check: search engine unreachable");
            false
        }
        Err(_) => {
            tracing::warn!(
                engine = search.name(),
                "readiness check: search engine did not answer in time"
            );
            false
        }
    }
}
