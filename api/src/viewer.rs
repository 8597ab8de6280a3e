//! Who is asking: resolved once per HTTP request (by `caller`, which keeps the answer in the
//! request for everything after it) or websocket connection (at `connection_init`) from the
//! access token, and handed to the schema as part of the request data. A token is accepted
//! while it is unexpired and its session was not ended (`schema::customers::sessions`).

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schema::customers::auth::InvalidAccessToken;
use schema::customers::sessions::{self, TokenSession};
use schema::{AppState, Viewer};
use serde_json::{Value, json};

/// The viewer of an HTTP request: anonymous without `Authorization`, or the account of a valid
/// `Bearer` token. A present but invalid token (or one whose session was signed out) is
/// refused with 401, so clients know to refresh rather than silently getting anonymous
/// answers. Only `caller` calls it, once per request.
/// With a token, its session too: a password change keeps the session that made it.
pub(crate) fn from_headers(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<(Viewer, Option<TokenSession>), Unauthenticated> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok((Viewer::Anonymous, None));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(bearer)
        .ok_or_else(|| unauthenticated("use `Authorization: Bearer <access token>`"))?;
    authenticate(app, token)
        .map(|session| (session.viewer.clone(), Some(session)))
        .map_err(|e| unauthenticated(&e.to_string()))
}

fn authenticate(app: &AppState, token: &str) -> Result<TokenSession, InvalidAccessToken> {
    sessions::authenticate(&app.tokens, &app.sessions, token)
}

/// The viewer of a websocket connection, from its `connection_init` payload. Accepted shapes:
/// `{"Authorization": "Bearer …"}` (what GraphiQL sends from its Headers tab),
/// `{"headers": {"Authorization": "Bearer …"}}`, and `{"token": "…"}` / `{"accessToken": "…"}`.
/// With a token, its session too: the connection's operations last as long as it does.
pub fn from_connection_init(
    app: &AppState,
    payload: &Value,
) -> Result<(Viewer, Option<TokenSession>), String> {
    let token = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| {
            payload
                .get(*key)
                .or_else(|| payload.get("headers").and_then(|h| h.get(*key)))
        })
        .and_then(Value::as_str)
        .map(|v| bearer(v).ok_or("use \"Bearer <access token>\""))
        .or_else(|| {
            ["token", "accessToken"]
                .iter()
                .find_map(|key| payload.get(*key))
                .and_then(Value::as_str)
                .map(Ok)
        });
    match token {
        None => Ok((Viewer::Anonymous, None)),
        Some(Err(problem)) => Err(problem.to_owned()),
        Some(Ok(token)) => authenticate(app, token)
            .map(|session| (session.viewer.clone(), Some(session)))
            .map_err(|e| e.to_string()),
    }
}

fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// A refused access token, answered with 401 and a GraphQL-shaped error.
#[derive(Clone, Debug)]
pub struct Unauthenticated(String);

fn unauthenticated(message: &str) -> Unauthenticated {
    Unauthenticated(message.to_owned())
}

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        let body = json!({ "errors": [{ "message": self.0, "extensions": { "code": "UNAUTHENTICATED" } }] });
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(body),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }
}
