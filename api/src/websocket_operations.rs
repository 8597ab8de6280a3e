//! What every operation sent over a websocket passes before it runs, as an HTTP request would:
//!
//! - the connection's session must still be live: a connection signed in with an access token
//!   gets `UNAUTHENTICATED` once that token expired or its session was signed out (HTTP
//!   answers 401 then); its running subscriptions that need the account end on their own
//!   (`schema::customers::sessions::until_session_ends`);
//! - the client's request budget, the one its HTTP requests spend (`rate_limit`), must not be
//!   spent: each operation counts one, and a refused one gets `RATE_LIMITED`.
//!
//! A wrapper around the schema's executor, so the websocket protocol handling stays
//! async-graphql's. Subscriptions whose answer does not depend on the viewer are not executed
//! per connection: they follow a shared feed (`subscription_feeds`).

use crate::rate_limit;
use crate::state::ServerState;
use async_graphql::{Data, Executor, Request, Response, ServerError, Value};
use futures_util::stream::{self, BoxStream, StreamExt};
use schema::RequestData;
use schema::common::budget::{Allowance, Budgets};
use schema::error::ApiError;
use schema::subscription_sharing;
use std::any::TypeId;
use std::sync::Arc;

/// The executor of one server's websocket connections.
#[derive(Clone)]
pub struct SocketExecutor {
    state: ServerState,
}

impl SocketExecutor {
    pub fn new(state: ServerState) -> Self {
        Self { state }
    }

    /// Why the connection may not run another operation now, if it may not.
    async fn refusal(&self, connection: Option<&RequestData>) -> Option<ServerError> {
        let connection = connection?;
        if let Some(session) = &connection.session
            && !self.state.app.sessions.is_live(session)
        {
            return Some(coded(ApiError::SessionEnded.to_string(), "UNAUTHENTICATED"));
        }
        let client = connection.client.as_ref()?;
        let verdict = self
            .state
            .rate_limiter
            .spend(Allowance::Requests, client.as_str(), 1)
            .await?;
        if verdict.allowed {
            return None;
        }
        tracing::info!(
            client = client.as_str(),
            "rate limit reached on a websocket"
        );
        let mut error = coded(rate_limit::refusal_message(verdict), "RATE_LIMITED");
        if let Some(extensions) = error.extensions.as_mut() {
            extensions.set("retryAfter", Value::from(verdict.retry_after_secs()));
        }
        Some(error)
    }
}

impl SocketExecutor {
    /// A shareable subscription follows the feed of identical ones (`subscription_feeds`),
    /// holding one of the connection's subscription slots as an unshared one does.
    fn join_feed(
        &self,
        request: &Request,
        connection: Option<&RequestData>,
    ) -> BoxStream<'static, Response> {
        match connection.map(RequestData::subscription_slot).transpose() {
            Ok(slot) => self.state.subscription_feeds.join(request, slot.flatten()),
            Err(refused) => {
                let error = coded(refused.to_string(), refused.code());
                stream::once(async move { Response::from_errors(vec![error]) }).boxed()
            }
        }
    }
}

fn coded(message: String, code: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", Value::from(code));
    error
}

/// The connection's request data, stored by `connection_init`.
fn connection(data: Option<&Data>) -> Option<&RequestData> {
    data?
        .get(&TypeId::of::<RequestData>())?
        .downcast_ref::<RequestData>()
}

impl Executor for SocketExecutor {
    async fn execute(&self, request: Request) -> Response {
        self.state.schema.execute(request).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let this = self.clone();
        stream::once(async move {
            match this.refusal(connection(session_data.as_deref())).await {
                Some(error) => {
                    stream::once(async move { Response::from_errors(vec![error]) }).boxed()
                }
                None if subscription_sharing::shareable(&request) => {
                    this.join_feed(&request, connection(session_data.as_deref()))
                }
                None => this.state.schema.execute_stream(request, session_data),
            }
        })
        .flatten()
        .boxed()
    }
}
