//! A cap on the websocket connections one client holds at once (`MAX_WEBSOCKETS_PER_CLIENT`),
//! so a single client cannot exhaust the server's sockets and memory. Counted per process:
//! a client spread over replicas gets the cap on each.

use crate::client::ClientKey;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct WebsocketSeats {
    max: usize,
    open: Mutex<HashMap<ClientKey, usize>>,
}

/// One open connection; frees its seat when dropped (the connection ended).
pub struct Seat {
    seats: Arc<WebsocketSeats>,
    client: ClientKey,
}

/// The client already holds its maximum of connections.
#[derive(Debug)]
pub struct TooManyConnections(usize);

impl WebsocketSeats {
    /// `max == 0`: no cap.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// A seat for a new connection of `client`; `None` when there is no cap.
    pub fn take(self: &Arc<Self>, client: &ClientKey) -> Result<Option<Seat>, TooManyConnections> {
        if self.max == 0 {
            return Ok(None);
        }
        let Ok(mut open) = self.open.lock() else {
            return Ok(None);
        };
        let count = open.entry(client.clone()).or_insert(0);
        if *count >= self.max {
            return Err(TooManyConnections(self.max));
        }
        *count += 1;
        Ok(Some(Seat {
            seats: self.clone(),
            client: client.clone(),
        }))
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        if let Ok(mut open) = self.seats.open.lock()
            && let Some(count) = open.get_mut(&self.client)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

impl IntoResponse for TooManyConnections {
    fn into_response(self) -> Response {
        let body = json!({ "errors": [{
            "message": format!("this client already holds {} websocket connections; close one first", self.0),
            "extensions": { "code": "TOO_MANY_CONNECTIONS" },
        }]});
        (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response()
    }
}
