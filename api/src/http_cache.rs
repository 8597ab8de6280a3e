//! HTTP caching of public catalog reads, so a CDN or the Next.js data cache can serve them.
//!
//! Only GET requests are cacheable (persisted-query hashes make them short and stable), and
//! only when the viewer is anonymous, the answer has no errors, and every field asked for
//! allows it: catalog and search fields declare `cache_control(max_age = 30)`, private
//! fields (`me`, `cart`, `order(s)`, staff data) `no_cache`, which wins. Such answers get
//! `Cache-Control: public, max-age=30, stale-while-revalidate=60`, a weak `ETag` (a hash of
//! the body; weak because compression changes the bytes) and `Vary`; a matching `If-None-Match` gets `304 Not Modified`. Everything else
//! is `Cache-Control: no-store`. Thirty seconds bounds how stale a cached availability figure
//! can be; checkout always checks stock itself.

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Extra time a cache may serve a stale answer while it refetches.
const STALE_WHILE_REVALIDATE_SECS: i32 = 60;
/// Largest body read for hashing: far above any answer the page-size and complexity limits
/// allow.
const MAX_CACHED_BODY: usize = 64 * 1024 * 1024;

/// A GET request's conditional header.
#[derive(Clone, Debug, Default)]
pub struct Conditional {
    if_none_match: Option<HeaderValue>,
}

impl Conditional {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            if_none_match: headers.get(header::IF_NONE_MATCH).cloned(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Shared caches may keep it this many seconds.
    Public {
        max_age: i32,
    },
    NoStore,
}

/// What may be done with this answer.
pub fn policy(response: &async_graphql::Response, anonymous: bool, is_get: bool) -> Policy {
    let control = &response.cache_control;
    if is_get && anonymous && response.errors.is_empty() && control.public && control.max_age > 0 {
        Policy::Public {
            max_age: control.max_age,
        }
    } else {
        Policy::NoStore
    }
}

/// Sets the caching headers; answers `Err(304)` when the client's copy is current.
pub async fn apply(
    response: Response,
    policy: Policy,
    conditional: Option<&Conditional>,
) -> Result<Response, Response> {
    let (mut parts, body) = response.into_parts();
    let Policy::Public { max_age } = policy else {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(Response::from_parts(parts, body));
    };
    let Ok(bytes) = to_bytes(body, MAX_CACHED_BODY).await else {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        let message = "the answer is too large to serve";
        return Err((StatusCode::INTERNAL_SERVER_ERROR, message).into_response());
    };
    let etag = format!("W/\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let cache_control =
        format!("public, max-age={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE_SECS}");
    let headers = &mut parts.headers;
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Accept-Encoding"),
    );
    let current = conditional
        .and_then(|c| c.if_none_match.as_ref())
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| same_tag(tag, &etag)));
    if current {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [header::CACHE_CONTROL, header::ETAG, header::VARY] {
            if let Some(value) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        return Err(not_modified);
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Weak comparison (RFC 9110 §8.8.3.2), as `If-None-Match` uses.
fn same_tag(given: &str, ours: &str) -> bool {
    let given = given.trim();
    given == "*" || given.trim_start_matches("W/") == ours.trim_start_matches("W/")
}
