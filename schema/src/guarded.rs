//! The schema as the server runs it: request-level rules applied once around each execution
//! — automatic persisted queries, the input guard, the choice of operation (GET runs queries
//! only; only a query's answer may be cached), the introspection refusal and the error codes.
//!
//! They used to be async-graphql extensions. But with any extension registered,
//! async-graphql runs *every resolved field* through the extension chain (a registry lookup
//! and a boxed future per extension per field), even when no extension looks at fields; a
//! storefront grid resolves about a thousand fields, and profiles showed the chain as a large
//! share of its time. Applied here instead, fields take async-graphql's direct path (grid
//! computed without the response cache: ~330 → ~430 req/s on the reference machine).
//!
//! Order matters: every check whose cost grows with the document runs before anything that
//! walks it (the text before parsing, the fragment expansion before validation), and a
//! persisted query is stored only once its document passed every limit and validation.

use crate::AppSchema;
use crate::common::input_guard;
use crate::error::edge::finalize;
use crate::introspection::{asks_for_introspection, asks_for_service_sdl};
use crate::parsed_documents::ParsedDocuments;
use crate::persisted_queries::{PersistedQueryStore, QueryText};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{CacheControl, Data, Executor, Request, Response, ServerError, ServerResult};
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// How a request reached the server: what it may run depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Post,
    /// GET runs queries only (GraphQL over HTTP): a GET must be safe to repeat and to cache.
    Get,
    WebSocket,
}

/// What the HTTP layer knows about a request beyond its body.
#[derive(Clone, Copy, Debug)]
pub struct Arrival {
    pub transport: Transport,
    /// The request carried the federation router's key (`FEDERATION_SDL_KEY`), which unlocks
    /// `_service { sdl }` when introspection is off.
    pub federation_router: bool,
}

impl Arrival {
    pub fn post() -> Self {
        Self {
            transport: Transport::Post,
            federation_router: false,
        }
    }
}

/// An executed request and the kind of operation it selected (`None` when the request was
/// refused before its operation was known, or named none that exists).
pub struct Executed {
    pub response: Response,
    pub operation: Option<OperationType>,
}

/// An executable schema with the request-level rules; cheap to clone. `/graphql` runs the
/// app's schema; any other schema the server serves (the Shopify-shaped endpoint) runs behind
/// the same rules.
#[derive(Clone)]
pub struct GuardedSchema<S = AppSchema> {
    schema: S,
    persisted_queries: PersistedQueryStore,
    documents: Arc<ParsedDocuments>,
    introspection: bool,
}

/// A request that passed the guards, ready to execute.
struct Prepared {
    request: Request,
    operation: Option<OperationType>,
    /// A persisted query to remember once validation accepted its document.
    register: Option<(String, QueryText)>,
}

/// A refusal before execution, with what was known of the operation by then.
struct Refused {
    error: ServerError,
    operation: Option<OperationType>,
}

impl From<ServerError> for Refused {
    fn from(error: ServerError) -> Self {
        Self {
            error,
            operation: None,
        }
    }
}

impl<S: Executor> GuardedSchema<S> {
    pub fn new(schema: S, persisted_queries: PersistedQueryStore, introspection: bool) -> Self {
        Self {
            schema,
            persisted_queries,
            documents: Arc::default(),
            introspection,
        }
    }

    /// Runs one request (HTTP): the guards, then the schema.
    pub async fn run(&self, request: Request, arrival: Arrival) -> Executed {
        let prepared = match self.prepare(request, arrival).await {
            Ok(prepared) => prepared,
            Err(refused) => {
                return Executed {
                    response: finalize(Response::from_errors(vec![refused.error])),
                    operation: refused.operation,
                };
            }
        };
        let response = self.schema.execute(prepared.request).await;
        if let Some((hash, text)) = prepared.register
            && passed_validation(&response)
        {
            self.persisted_queries.set(hash, text).await;
        }
        Executed {
            response: finalize(uncacheable_unless_query(response, prepared.operation)),
            operation: prepared.operation,
        }
    }

    /// Resolves a persisted-query hash, measures and parses the document, picks the operation
    /// and applies the guards.
    async fn prepare(&self, request: Request, arrival: Arrival) -> Result<Prepared, Refused> {
        // The request itself first: a NUL anywhere is refused before any lookup.
        input_guard::check_request(&request)?;
        let (mut request, register) = self.resolve_persisted(request).await?;
        match self.documents.get(&request.query) {
            // Same text: the checks below passed for it already.
            Some(document) => request.set_parsed_query(ExecutableDocument::clone(&document)),
            None => {
                input_guard::check_text(&request.query)?;
                let document = request.parsed_query()?;
                input_guard::check_document(document)?;
                let document = document.clone();
                self.documents.keep(request.query.clone(), document);
            }
        }
        let operation_name = request.operation_name.clone();
        let document = request.parsed_query()?;
        let operation = selected_operation(document, operation_name.as_deref());
        let refuse = |error: ServerError| Refused { error, operation };
        if arrival.transport == Transport::Get
            && operation.is_some_and(|op| op != OperationType::Query)
        {
            return Err(refuse(coded(
                "GET requests run queries only; send mutations and subscriptions with POST",
                "BAD_REQUEST",
            )));
        }
        if !self.introspection && asks_for_introspection(document) {
            return Err(refuse(coded(
                "introspection is disabled on this server",
                "FORBIDDEN",
            )));
        }
        if !self.introspection && !arrival.federation_router && asks_for_service_sdl(document) {
            return Err(refuse(coded(
                "the subgraph SDL is only given to the federation router (FEDERATION_SDL_KEY)",
                "FORBIDDEN",
            )));
        }
        crate::carts::code_guard::check(&mut request).map_err(refuse)?;
        Ok(Prepared {
            request,
            operation,
            register,
        })
    }

    /// Apollo's automatic persisted queries: a hash alone is replaced by the stored text; a
    /// hash with the query text is checked against the text and returned for registration
    /// (stored only after validation, by the caller).
    async fn resolve_persisted(
        &self,
        mut request: Request,
    ) -> ServerResult<(Request, Option<(String, QueryText)>)> {
        let Some(extension) = request.extensions.remove("persistedQuery") else {
            return Ok((request, None));
        };
        let persisted = PersistedQuery::deserialize(extension.into_json().unwrap_or_default())
            .map_err(|_| {
                ServerError::new("Invalid \"PersistedQuery\" extension configuration.", None)
            })?;
        if persisted.version != 1 {
            return Err(ServerError::new(
                format!(
                    "Only the \"PersistedQuery\" extension of version \"1\" is supported, not \"{}\".",
                    persisted.version
                ),
                None,
            ));
        }
        let wanted = persisted.sha256_hash.to_ascii_lowercase();
        if request.query.is_empty() {
            let Some(text) = self.persisted_queries.get(&wanted).await else {
                return Err(ServerError::new("PersistedQueryNotFound", None));
            };
            request.query = text.to_string();
            return Ok((request, None));
        }
        let hash = hex::encode(Sha256::digest(request.query.as_bytes()));
        if wanted != hash {
            return Err(ServerError::new("provided sha does not match query", None));
        }
        let text: QueryText = request.query.as_str().into();
        Ok((request, Some((hash, text))))
    }
}

/// The type of the operation a request would run, read from its text without parsing it
/// (`None` for a hash-only persisted query, or a text that does not show it plainly). The
/// HTTP layer uses it to refuse a GET mutation and skip the response cache for mutations
/// before any work; the guards decide again on the parsed document.
pub fn operation_in_text(request: &Request) -> Option<OperationType> {
    if request.query.is_empty() {
        return None;
    }
    input_guard::text::measure(&request.query)
        .ok()?
        .selected(request.operation_name.as_deref())
}

/// The type of the operation a request runs: the one named, or the only one.
fn selected_operation(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation.node.ty),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| operation.node.ty)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .map(|operation| operation.node.ty),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// async-graphql computes cacheability over the whole document, every operation in it; only
/// the operation that ran may decide. A mutation's or subscription's answer is never public.
fn uncacheable_unless_query(mut response: Response, operation: Option<OperationType>) -> Response {
    if operation != Some(OperationType::Query) {
        response.cache_control = CacheControl {
            public: false,
            max_age: 0,
        };
    }
    response
}

/// Whether the document got past parsing and validation. Errors raised while resolving carry
/// the path of their field; parse, validation and operation-selection errors have none.
fn passed_validation(response: &Response) -> bool {
    response.errors.iter().all(|error| !error.path.is_empty())
}

fn coded(message: &str, code: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedQuery {
    version: i32,
    sha256_hash: String,
}

impl<S: Executor> Executor for GuardedSchema<S> {
    async fn execute(&self, request: Request) -> Response {
        self.run(request, Arrival::post()).await.response
    }

    /// Websocket operations (subscriptions, and queries and mutations sent over the socket).
    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let this = self.clone();
        let arrival = Arrival {
            transport: Transport::WebSocket,
            federation_router: false,
        };
        stream::once(async move {
            match this.prepare(request, arrival).await {
                Ok(prepared) => {
                    let responses =
                        Executor::execute_stream(&this.schema, prepared.request, session_data);
                    match prepared.register {
                        Some(registration) => remember_after_first(this, responses, registration),
                        None => responses,
                    }
                }
                Err(refused) => {
                    stream::once(async move { Response::from_errors(vec![refused.error]) }).boxed()
                }
            }
        })
        .flatten()
        .map(finalize)
        .boxed()
    }
}

/// Stores a persisted query registered over a websocket once its first answer shows that the
/// document was accepted.
fn remember_after_first<S: Executor>(
    this: GuardedSchema<S>,
    responses: BoxStream<'static, Response>,
    registration: (String, QueryText),
) -> BoxStream<'static, Response> {
    let mut pending = Some(registration);
    responses
        .then(move |response| {
            let registration = pending.take();
            let store = this.persisted_queries.clone();
            async move {
                if let Some((hash, text)) = registration
                    && passed_validation(&response)
                {
                    store.set(hash, text).await;
                }
                response
            }
        })
        .boxed()
}
