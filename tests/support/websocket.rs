//! A minimal GraphQL-over-websocket client for tests (both protocols).

use super::endpoint::Endpoint;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The two subprotocols the server speaks, with their message names.
#[derive(Copy, Clone, Debug)]
pub enum WsProtocol {
    /// `graphql-transport-ws` (the `graphql-ws` npm client).
    TransportWs,
    /// Legacy `graphql-ws` (Apollo's `subscriptions-transport-ws`).
    LegacyWs,
}

impl WsProtocol {
    pub fn name(self) -> &'static str {
        match self {
            Self::TransportWs => "graphql-transport-ws",
            Self::LegacyWs => "graphql-ws",
        }
    }

    fn subscribe(self) -> &'static str {
        match self {
            Self::TransportWs => "subscribe",
            Self::LegacyWs => "start",
        }
    }

    /// The message type carrying a result.
    pub fn next(self) -> &'static str {
        match self {
            Self::TransportWs => "next",
            Self::LegacyWs => "data",
        }
    }
}

pub struct WsClient {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub protocol: WsProtocol,
    /// The subprotocol the server chose in the handshake.
    pub accepted_protocol: Option<String>,
}

impl Endpoint {
    /// Opens a websocket on `/graphql` and completes `connection_init` with `payload`.
    pub async fn websocket(
        &self,
        protocol: WsProtocol,
        payload: Value,
    ) -> anyhow::Result<WsClient> {
        let mut request = format!("ws://{}/graphql", self.addr).into_client_request()?;
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.name().parse()?);
        let (socket, response) = tokio_tungstenite::connect_async(request).await?;
        let accepted_protocol = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let mut client = WsClient {
            socket,
            protocol,
            accepted_protocol,
        };
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await?;
        let ack = client.next_json().await?;
        anyhow::ensure!(
            ack["type"] == "connection_ack",
            "expected connection_ack, got {ack}"
        );
        Ok(client)
    }
}

impl WsClient {
    pub async fn send(&mut self, message: Value) -> anyhow::Result<()> {
        self.socket.send(Message::text(message.to_string())).await?;
        Ok(())
    }

    /// Starts operation `id`.
    pub async fn subscribe(
        &mut self,
        id: &str,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<()> {
        let message = json!({ "type": self.protocol.subscribe(), "id": id, "payload": { "query": query, "variables": variables } });
        self.send(message).await
    }

    /// The next text message as JSON (5 s at most).
    pub async fn next_json(&mut self) -> anyhow::Result<Value> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), self.socket.next())
                .await?
                .ok_or_else(|| anyhow::anyhow!("the websocket closed"))??;
            if let Message::Text(text) = message {
                return Ok(serde_json::from_str(&text)?);
            }
        }
    }

    /// The next message of operation `id` (60 s at most), skipping other operations'.
    pub async fn message_for(&mut self, id: &str) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "nothing for operation {id}"
            );
            match self.next_json().await {
                Ok(message) if message["id"] == id => return Ok(message),
                Ok(_) => continue,
                Err(err) if err.is::<tokio::time::error::Elapsed>() => continue,
                Err(err) => return Err(err),
            }
        }
    }

    /// Runs a query or mutation as operation `id` and returns its one result (`payload`),
    /// checking that the operation then completes.
    pub async fn run(&mut self, id: &str, query: &str, variables: Value) -> anyhow::Result<Value> {
        self.subscribe(id, query, variables).await?;
        let message = self.message_for(id).await?;
        anyhow::ensure!(
            message["type"] == self.protocol.next(),
            "expected a result, got {message}"
        );
        let done = self.message_for(id).await?;
        anyhow::ensure!(done["type"] == "complete", "expected complete, got {done}");
        Ok(message["payload"].clone())
    }

    /// The next close frame's code (5 s at most), skipping other messages.
    pub async fn close_code(&mut self) -> anyhow::Result<u16> {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), self.socket.next()).await? {
                Some(Ok(Message::Close(Some(frame)))) => return Ok(u16::from(frame.code)),
                Some(Ok(Message::Close(None))) => anyhow::bail!("a close frame without a code"),
                Some(Ok(_)) => continue,
                other => anyhow::bail!("expected a close frame, got {other:?}"),
            }
        }
    }
}
