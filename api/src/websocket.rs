//! One GraphQL websocket connection (both `graphql-transport-ws` and legacy `graphql-ws`).
//!
//! Liveness: the server sends a WebSocket ping frame every `ping_interval` and drops the
//! connection when nothing (not even the automatic pong) came back for two intervals. Browsers
//! answer pings by themselves, so clients that send no GraphQL-level pings — GraphiQL's, many
//! mobile ones — stay connected, and vanished peers are still noticed. (async-graphql's own
//! `keepalive_timeout` only counts GraphQL messages from the client, so it is not used.)
//!
//! Shutdown: when the server stops, the connection's input ends, which ends its subscriptions,
//! and the client gets a close frame 1001 ("going away") so it reconnects to another replica.
//!
//! Upgrade: the `/graphql` GET handler hands upgrade requests here, with the client the
//! request was counted as (`caller`); the client's seat (`websocket_seats`) is taken before
//! the upgrade, so a client over its cap gets a plain 429.
//!
//! Sessions and budgets: operations go through `websocket_operations::SocketExecutor`, which
//! refuses them once the connection's access token expired or was signed out, and counts
//! each against the client's request budget (the account signed in at `connection_init`,
//! else the client the upgrade request was counted as).

use crate::client::ClientKey;
use crate::state::ServerState;
use crate::viewer;
use crate::websocket_operations::SocketExecutor;
use crate::websocket_seats::Seat;
use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols as Protocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket, close_code};
use axum::extract::{FromRequestParts, Request, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use schema::RequestData;
use schema::context::SubscriptionSlots;
use std::str::FromStr as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Bytes read from a websocket at a time; a larger message still arrives whole (in more
/// reads). Clients send little and seldom (`connection_init`, subscribe, complete, pings: a few
/// hundred bytes each), and tungstenite zero-fills the whole buffer on the first read, so each
/// connection holds this much for its lifetime: 1 KiB instead of 4 KiB was ~30 MiB less with
/// 10,000 subscribers, and 256 bytes instead of 1 KiB another ~7 MiB (a heap profile put
/// tungstenite's context at 1.0 of a subscriber's 5.3 KiB).
const READ_BUFFER: usize = 256;

/// Upgrades `request` of `client` to a GraphQL websocket.
pub async fn upgrade(state: ServerState, client: ClientKey, request: Request) -> Response {
    let seat = match state.websocket_seats.take(&client) {
        Ok(seat) => seat,
        Err(refusal) => return refusal.into_response(),
    };
    let (mut parts, _body) = request.into_parts();
    let request_id = crate::caller::request_id(&parts.headers);
    let Some(protocol) = graphql_protocol(&parts.headers) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let max_message = state.options.max_websocket_message_bytes;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Subscriptions are many small messages on long-lived connections: small buffers keep
        // an idle connection cheap (the 128 KiB defaults dominated memory per subscriber),
        // and a client message is capped like an HTTP body.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| {
            let websockets = state.websockets.clone();
            let connection = Connection {
                seat,
                client,
                request_id,
            };
            websockets.track_future(serve(state, protocol, socket, connection))
        })
}

/// The first GraphQL websocket protocol the client offers that the server speaks. (What
/// async-graphql-axum's `GraphQLProtocol` extractor reads, but it keeps the protocol private,
/// and the connection loop hands it to async-graphql's protocol itself.)
fn graphql_protocol(headers: &HeaderMap) -> Option<Protocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|offered| Protocols::from_str(offered.trim()).ok())
}

/// Who an upgraded connection is: its client (as its upgrade request was counted), the
/// client's connection slot (held until the connection ends) and the upgrade's request id.
struct Connection {
    seat: Option<Seat>,
    client: ClientKey,
    request_id: Option<String>,
}

/// Serves one upgraded connection.
///
/// One loop per connection writes what the GraphQL protocol yields straight to the socket
/// and pings on schedule; the protocol reads the socket's incoming half itself. (An earlier
/// version put a channel and a second loop between the protocol and the socket: with 10,000
/// subscribers each event paid for a boxed send permit, a channel hop and a second wake-up per
/// socket.)
async fn serve(state: ServerState, protocol: Protocols, socket: WebSocket, connection: Connection) {
    let Connection {
        seat: _seat,
        client,
        request_id,
    } = connection;
    state.metrics.websocket_connections.inc();
    let (mut sink, stream) = socket.split();

    // Ends the connection's input: on server shutdown, or when the peer stopped answering.
    let stop = state.shutdown.child_token();
    let started = Instant::now();
    let last_heard_ms = Arc::new(AtomicU64::new(0));
    let heard = last_heard_ms.clone();
    // What the protocol reads: text and binary messages, until the socket ends or fails.
    let input = stream
        .inspect(move |_| heard.store(elapsed_ms(started), Ordering::Relaxed))
        .take_until(stop.clone().cancelled_owned())
        .take_while(|message| std::future::ready(message.is_ok()))
        .filter_map(|message| {
            std::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });

    let auth_state = state.clone();
    let max_subscriptions = state.options.max_subscriptions_per_connection;
    let executor = SocketExecutor::new(state.clone());
    let graphql = async_graphql::http::WebSocket::new(executor, input, protocol)
        .on_connection_init(move |payload| async move {
            // A bad token refuses the connection (async-graphql closes it with a protocol error).
            let (viewer, session) = viewer::from_connection_init(&auth_state.app, &payload)
                .map_err(async_graphql::Error::new)?;
            let client = match viewer.account_id() {
                Some(account) => ClientKey::Account(account),
                None => client,
            };
            let mut request = RequestData::long_lived(&auth_state.app, viewer);
            request.session = session;
            request.client = Some(client.id());
            request.request_id = request_id.clone();
            request.subscription_slots = Some(SubscriptionSlots::new(max_subscriptions));
            let mut data = Data::default();
            data.insert(request);
            Ok(data)
        });
    let mut graphql = std::pin::pin!(graphql);

    let ping_interval = state.options.websocket_ping_interval;
    let mut ping = tokio::time::interval(ping_interval);
    ping.tick().await; // the first tick is immediate
    loop {
        tokio::select! {
            biased;
            message = graphql.next() => {
                let message = match message {
                    Some(WsMessage::Text(text)) => Message::Text(text.into()),
                    Some(WsMessage::Close(code, reason)) => Message::Close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    })),
                    // The protocol finished: its input ended (peer gone, server stopping).
                    None => break,
                };
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                let silent_ms = elapsed_ms(started).saturating_sub(last_heard_ms.load(Ordering::Relaxed));
                if u128::from(silent_ms) > 2 * ping_interval.as_millis() {
                    tracing::debug!(silent_ms, "websocket peer stopped answering pings; closing");
                    stop.cancel();
                } else if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
        }
    }
    stop.cancel();

    if state.shutdown.is_cancelled() {
        let close = CloseFrame {
            code: close_code::AWAY,
            reason: "server shutting down".into(),
        };
        let _ = sink.send(Message::Close(Some(close))).await;
    }
    let _ = sink.close().await;
    state.metrics.websocket_connections.dec();
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
