//! The schema as the server runs it: request-level rules applied once around each execution
//! — automatic persisted queries, the input guard, the introspection refusal and the error
//! codes.
//!
//! They used to be async-graphql extensions. But with any extension registered,
//! async-graphql runs *every resolved field* through the extension chain (a registry lookup
//! and a boxed future per extension per field), even when no extension looks at fields; a
//! storefront grid resolves about a thousand fields, and profiles showed the chain as a large
//! share of its time. Applied here instead, fields take async-graphql's direct path (grid
//! computed without the response cache: ~330 → ~430 req/s on the reference machine).

use crate::AppSchema;
use crate::common::input_guard;
use crate::error::edge::finalize;
use crate::introspection::asks_for_introspection;
use crate::persisted_queries::PersistedQueryStore;
use async_graphql::extensions::apollo_persisted_queries::CacheStorage;
use async_graphql::{Data, Executor, Request, Response, ServerError, ServerResult, Value};
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The executable schema with the request-level rules; cheap to clone.
#[derive(Clone)]
pub struct GuardedSchema {
    schema: AppSchema,
    persisted_queries: PersistedQueryStore,
    introspection: bool,
}

impl GuardedSchema {
    pub fn new(
        schema: AppSchema,
        persisted_queries: PersistedQueryStore,
        introspection: bool,
    ) -> Self {
        Self {
            schema,
            persisted_queries,
            introspection,
        }
    }

    /// The plain schema (SDL, federation checks).
    pub fn inner(&self) -> &AppSchema {
        &self.schema
    }

    /// Resolves a persisted-query hash, parses the document and applies the guards.
    async fn prepare(&self, request: Request) -> ServerResult<Request> {
        // The request itself first: a NUL anywhere is refused before any lookup.
        input_guard::check_request(&request)?;
        let mut request = self.resolve_persisted(request).await?;
        let document = request.parsed_query()?;
        input_guard::check_document(document)?;
        if !self.introspection && asks_for_introspection(document) {
            let mut error = ServerError::new("introspection is disabled on this server", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", Value::from("FORBIDDEN"));
            return Err(error);
        }
        crate::carts::code_guard::check(&mut request)?;
        Ok(request)
    }

    /// Apollo's automatic persisted queries: a hash alone is looked up; a hash with the query
    /// text registers the text (when the hash matches it).
    async fn resolve_persisted(&self, mut request: Request) -> ServerResult<Request> {
        let Some(extension) = request.extensions.remove("persistedQuery") else {
            return Ok(request);
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
        if request.query.is_empty() {
            let Some(document) = self.persisted_queries.get(persisted.sha256_hash).await else {
                return Err(ServerError::new("PersistedQueryNotFound", None));
            };
            request.set_parsed_query(document);
            return Ok(request);
        }
        let hash = hex::encode(Sha256::digest(request.query.as_bytes()));
        if !persisted.sha256_hash.eq_ignore_ascii_case(&hash) {
            return Err(ServerError::new("provided sha does not match query", None));
        }
        let document = request.parsed_query()?.clone();
        self.persisted_queries.set(hash, document).await;
        Ok(request)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedQuery {
    version: i32,
    sha256_hash: String,
}

impl Executor for GuardedSchema {
    async fn execute(&self, request: Request) -> Response {
        let response = match self.prepare(request).await {
            Ok(request) => self.schema.execute(request).await,
            Err(error) => Response::from_errors(vec![error]),
        };
        finalize(response)
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let this = self.clone();
        stream::once(async move {
            match this.prepare(request).await {
                Ok(request) => Executor::execute_stream(&this.schema, request, session_data),
                Err(error) => {
                    stream::once(async move { Response::from_errors(vec![error]) }).boxed()
                }
            }
        })
        .flatten()
        .map(finalize)
        .boxed()
    }
}
