//! Who is calling `/graphql`: the viewer of the request's access token and the client the
//! request is counted against. Verifying a token (its signature, then its session) is the
//! costliest step of a small request, so it happens once: the first to ask (the rate-limit
//! middleware, `request_budget`) resolves the caller and keeps it in the request's
//! extensions, and the GraphQL handler and the websocket upgrade read it from there.

use crate::client::{ClientKey, client_ip};
use crate::state::ServerState;
use crate::viewer::{self, Unauthenticated};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use schema::Viewer;
use schema::customers::sessions::TokenSession;
use std::convert::Infallible;
use std::net::SocketAddr;

#[derive(Clone, Debug)]
pub struct Caller {
    /// The viewer, or why the presented token is refused (the handler answers 401, after
    /// the request was counted).
    pub viewer: Result<Viewer, Unauthenticated>,
    /// The account of a valid token, else the address. An invalid token is counted by
    /// address: a flood of forged tokens is still limited.
    pub client: ClientKey,
    /// The session of a valid token: the request's own, which a password change keeps.
    pub session: Option<TokenSession>,
}

impl Caller {
    /// The caller of the request with these headers and extensions: resolved on first use,
    /// then read back from the extensions.
    pub fn of(state: &ServerState, headers: &HeaderMap, extensions: &mut Extensions) -> Caller {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        once_per_request(extensions, || {
            let (viewer, session) = match viewer::from_headers(&state.app, headers) {
                Ok((viewer, session)) => (Ok(viewer), session),
                Err(refused) => (Err(refused), None),
            };
            let client = match viewer.as_ref().ok().and_then(Viewer::account_id) {
                Some(account) => ClientKey::Account(account),
                None => match client_ip(headers, peer, state.options.trusted_proxy_hops) {
                    Some(ip) => ClientKey::from_ip(ip),
                    None => ClientKey::Address("unknown".to_owned()),
                },
            };
            Caller {
                viewer,
                client,
                session,
            }
        })
    }
}

/// The caller kept in `extensions`, or the one `resolve` gives, kept there for next time.
fn once_per_request(extensions: &mut Extensions, resolve: impl FnOnce() -> Caller) -> Caller {
    if let Some(caller) = extensions.get::<Caller>() {
        return caller.clone();
    }
    let caller = resolve();
    extensions.insert(caller.clone());
    caller
}

impl FromRequestParts<ServerState> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller::of(state, &parts.headers, &mut parts.extensions))
    }
}

/// The `x-request-id` of a request (the server's middleware sets one when the client sent
/// none): units of work write it on the audit events of staff mutations.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_request_is_resolved_once() {
        let mut extensions = Extensions::new();
        let resolutions = Cell::new(0);
        let resolve = || {
            resolutions.set(resolutions.get() + 1);
            Caller {
                viewer: Ok(Viewer::Anonymous),
                client: ClientKey::Address("192.0.2.1".to_owned()),
                session: None,
            }
        };
        let limiter_saw = once_per_request(&mut extensions, resolve);
        let handler_saw = once_per_request(&mut extensions, || {
            unreachable!("the handler resolved the caller again")
        });
        assert_eq!(resolutions.get(), 1);
        assert_eq!(limiter_saw.client, handler_saw.client);
        // Another request starts with empty extensions and is resolved anew.
        once_per_request(&mut Extensions::new(), resolve);
        assert_eq!(resolutions.get(), 2);
    }
}
