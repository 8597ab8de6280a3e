//! `/graphql`: POST and GET queries, the GraphiQL page on a plain browser GET, and websocket
//! subscriptions on an upgrade request — one path for every client.

use crate::caller::{self, Caller};
use crate::client::ClientKey;
use crate::db::SQL_STATEMENTS;
use crate::graphiql;
use crate::request_tasks::RequestTasks;
use crate::state::ServerState;
use crate::{get_request, http_cache, outage_status, websocket};
use async_graphql::ParseRequestError;
use async_graphql::parser::types::OperationType;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schema::customers::sessions::TokenSession;
use schema::guarded::{self, Arrival, Transport};
use schema::response_cache::{CachedAnswer, Found, ResponseCache};
use schema::{RequestData, Viewer};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The header a federation router sends `FEDERATION_SDL_KEY` in.
const FEDERATION_SDL_KEY_HEADER: &str = "x-federation-sdl-key";

pub async fn graphql_post(
    State(state): State<ServerState>,
    caller: Caller,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return unreadable(rejection),
    };
    let viewer = match caller.viewer {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal.into_response(),
    };
    let arrival = arrival(&state, &headers, Transport::Post);
    let fresh = wants_fresh(&headers);
    let run = Run {
        endpoint: Endpoint::Core,
        viewer,
        client: caller.client,
        session: caller.session,
        arrival,
        get: None,
        fresh,
        request_id: caller::request_id(&headers),
    };
    execute(state, request, run).await
}

/// How the request arrived, and whether it carries the federation router's key.
fn arrival(state: &ServerState, headers: &HeaderMap, transport: Transport) -> Arrival {
    let federation_router = state
        .options
        .federation_sdl_key
        .as_deref()
        .zip(headers.get(FEDERATION_SDL_KEY_HEADER))
        .is_some_and(|(expected, sent)| same_secret(expected.as_bytes(), sent.as_bytes()));
    Arrival {
        transport,
        federation_router,
    }
}

/// Compares secrets by their digests, so the time taken says nothing about the secret.
fn same_secret(expected: &[u8], sent: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    Sha256::digest(expected) == Sha256::digest(sent)
}

/// A request body the GraphQL extractor could not read, as a GraphQL-shaped error. A body
/// without Content-Length (chunked) that outgrows MAX_BODY_BYTES is only noticed here, while
/// it streams in: it gets the same 413 as one whose announced length is too large.
pub(crate) fn unreadable(rejection: GraphQLRejection) -> Response {
    let (status, code, message) = match &rejection.0 {
        ParseRequestError::Io(err) if err.to_string().contains("length limit exceeded") => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "the request body is larger than the server accepts".to_owned(),
        ),
        ParseRequestError::Io(_) => (
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request body could not be read".to_owned(),
        ),
        other => (
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("the request is not a valid GraphQL request: {other}"),
        ),
    };
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, axum::Json(body)).into_response()
}

/// GET serves three kinds of client: websocket upgrades, GET queries (`?query=`, persisted
/// query hashes), and browsers, which get GraphiQL.
pub async fn graphql_get(
    State(state): State<ServerState>,
    caller: Caller,
    request: Request,
) -> Response {
    let headers = request.headers();
    let is_upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_upgrade {
        return websocket::upgrade(state, caller.client, request).await;
    }
    let has_query = request.uri().query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.starts_with("query=") || pair.starts_with("extensions="))
    });
    if has_query {
        let viewer = match caller.viewer {
            Ok(viewer) => viewer,
            Err(refusal) => return refusal.into_response(),
        };
        let run = Run {
            endpoint: Endpoint::Core,
            viewer,
            client: caller.client,
            session: caller.session,
            arrival: arrival(&state, headers, Transport::Get),
            get: Some(http_cache::Conditional::from_headers(headers)),
            fresh: wants_fresh(headers),
            request_id: caller::request_id(headers),
        };
        return match get_request::parse(request.uri()) {
            Ok(graphql) => execute(state, graphql, run).await,
            Err(problem) => bad_request(&problem),
        };
    }
    if state.options.graphiql {
        return graphiql::page("/graphql", "/graphql").into_response();
    }
    (
        StatusCode::NOT_FOUND,
        "GraphiQL is disabled in production mode; POST GraphQL requests to this URL",
    )
        .into_response()
}

/// `Cache-Control: no-cache` (or `no-store`) on a request: the client wants an answer
/// computed now, not one from the response cache (the fresh answer may still be stored).
pub(crate) fn wants_fresh(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|directive| {
            let directive = directive.trim();
            directive.eq_ignore_ascii_case("no-cache") || directive.eq_ignore_ascii_case("no-store")
        })
}

/// Which schema answers: `/graphql`'s or the Shopify-shaped endpoint's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Core,
    Storefront,
}

impl Endpoint {
    /// Names the endpoint in response-cache keys.
    fn cache_namespace(self) -> &'static str {
        match self {
            Self::Core => "graphql",
            Self::Storefront => "storefront",
        }
    }
}

/// How a GraphQL request is to be run, besides the request itself.
pub(crate) struct Run {
    pub(crate) endpoint: Endpoint,
    pub(crate) viewer: Viewer,
    /// Who the request is counted against, for the budgets the schema spends (sign-ins,
    /// discount codes).
    pub(crate) client: ClientKey,
    /// The access token's session, if any (see `RequestData::session`).
    pub(crate) session: Option<TokenSession>,
    pub(crate) arrival: Arrival,
    /// A GET request's conditional headers: only GET answers may be cached by HTTP caches
    /// (see `http_cache`).
    pub(crate) get: Option<http_cache::Conditional>,
    /// The client sent `Cache-Control: no-cache`.
    pub(crate) fresh: bool,
    /// The request's `x-request-id` (set by the server's middleware when the client sent
    /// none), for the audit log.
    pub(crate) request_id: Option<String>,
}

/// Runs a GraphQL request. Anonymous queries go through the response cache first (see
/// `schema::response_cache`), whatever their method, unless `fresh`. A mutation or
/// subscription is never stored or answered as cacheable (the operation that ran decides),
/// and one whose text is sent is never looked up (the text decides before it runs). A
/// hash-only persisted query is looked up by its hash before its text is known: for a
/// mutation that lookup finds nothing, since only queries are ever stored.
pub(crate) async fn execute(
    state: ServerState,
    request: async_graphql::Request,
    run: Run,
) -> Response {
    let Run {
        endpoint,
        viewer,
        client,
        session,
        arrival,
        get,
        fresh,
        request_id,
    } = run;
    let anonymous = viewer == Viewer::Anonymous;
    // Read from the text without parsing it; `None` for a hash-only persisted query, whose
    // answer can only be in the cache if it was a query.
    let written_as = guarded::operation_in_text(&request);
    if get.is_some() && written_as.is_some_and(|op| op != OperationType::Query) {
        return get_refused();
    }
    let cache = &state.response_cache;
    let mut cache_entry = None;
    let may_be_cached = written_as.is_none_or(|op| op == OperationType::Query);
    if anonymous && cache.enabled() && may_be_cached {
        let key = ResponseCache::key(endpoint.cache_namespace(), &request);
        let found = if fresh {
            Found::Miss(cache.skip_lookup(&key).await)
        } else {
            cache.get(&key).await
        };
        match found {
            Found::Hit(answer) => return cached_answer(&state, answer, get.as_ref()).await,
            Found::Miss(lookup) => cache_entry = Some((key, lookup)),
        }
    }
    let counter = Arc::new(AtomicUsize::new(0));
    let tasks = RequestTasks::new();
    let mut data = RequestData::new(&state.app, viewer, tasks.spawner());
    data.client = Some(client.id());
    data.request_id = request_id;
    data.session = session;
    let reads = data.reads.clone();
    let request = request.data(data);
    let executed = SQL_STATEMENTS
        .scope(
            counter.clone(),
            tasks.run(async {
                match endpoint {
                    Endpoint::Core => state.schema.run(request, arrival).await,
                    Endpoint::Storefront => state.storefront_schema.run(request, arrival).await,
                }
            }),
        )
        .await;
    let ran_query = executed.operation == Some(OperationType::Query);
    if get.is_some() && executed.operation.is_some() && !ran_query {
        // A hash-only persisted mutation sent with GET: refused by the guard, answered 405.
        return get_refused();
    }
    let response = executed.response;
    let policy = http_cache::policy(&response, anonymous, get.is_some());
    let mut http = match cache_entry {
        Some((key, lookup)) if ran_query && cacheable(&response) => {
            let answer = match serde_json::to_vec(&response) {
                Ok(body) => CachedAnswer {
                    body: Bytes::from(body),
                    max_age: response.cache_control.max_age,
                },
                Err(_) => return GraphQLResponse::from(response).into_response(),
            };
            cache
                .store(key, lookup, answer.clone(), reads.snapshot())
                .await;
            json_answer(answer.body)
        }
        _ => outage_status::into_http(response),
    };
    http = match http_cache::apply(http, policy, get.as_ref()).await {
        Ok(http) => http,
        Err(http) => return http,
    };
    if state.options.expose_statement_count {
        let count = counter.load(Ordering::Relaxed);
        http.headers_mut()
            .insert("x-sql-statements", HeaderValue::from(count));
    }
    http
}

/// GraphQL over HTTP: a GET never runs a mutation (it must be safe to repeat, prefetch and
/// cache); 405 with `Allow: POST`.
fn get_refused() -> Response {
    let body = serde_json::json!({ "errors": [{
        "message": "GET requests run queries only; send mutations and subscriptions with POST",
        "extensions": { "code": "BAD_REQUEST" },
    }]});
    let mut http = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
    http.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    http.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    http
}

fn bad_request(message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{
        "message": message,
        "extensions": { "code": "BAD_REQUEST" },
    }]});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// Whether an anonymous answer may be kept: no errors, and every field asked for is public.
fn cacheable(response: &async_graphql::Response) -> bool {
    let control = &response.cache_control;
    response.errors.is_empty() && control.public && control.max_age > 0
}

/// A stored answer, with the HTTP caching headers a fresh one would get.
async fn cached_answer(
    state: &ServerState,
    answer: CachedAnswer,
    get: Option<&http_cache::Conditional>,
) -> Response {
    let policy = match get {
        Some(_) => http_cache::Policy::Public {
            max_age: answer.max_age,
        },
        None => http_cache::Policy::NoStore,
    };
    let mut http = match http_cache::apply(json_answer(answer.body), policy, get).await {
        Ok(http) => http,
        Err(http) => return http,
    };
    if state.options.expose_statement_count {
        http.headers_mut()
            .insert("x-sql-statements", HeaderValue::from(0));
    }
    http.headers_mut()
        .insert("x-response-cache", HeaderValue::from_static("hit"));
    http
}

/// The same body and content type `GraphQLResponse` produces.
fn json_answer(body: Bytes) -> Response {
    let mut http = Response::new(Body::from(body));
    http.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/graphql-response+json"),
    );
    http
}
