//! The GraphQL client: one pooled HTTP/1.1 `reqwest::Client` shared by every request of a
//! run, answers read as status + JSON body + the `x-sql-statements` header, and the staff
//! sign-in (`tokenCreate`) that the fan-out scenario's `stockAdjust` needs.

use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// A GraphQL endpoint and the HTTP client to reach it. Cheap to clone (shared pool).
#[derive(Clone)]
pub struct Gql {
    http: reqwest::Client,
    /// `http://host:port`, without a trailing slash.
    base: Arc<str>,
    /// `http://host:port/graphql`.
    endpoint: Arc<str>,
    /// `Authorization: Bearer …` for every request, when set.
    token: Option<Arc<str>>,
    /// Sends `Cache-Control: no-cache`, so the server computes the answer instead of serving
    /// it from its response cache (for counting the statements an answer costs).
    no_cache: bool,
}

/// One answer of `/graphql`.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// The JSON body (`{"unreadable": "…"}` when it was not JSON).
    pub body: Value,
    /// `x-sql-statements`: statements the request issued (absent in production mode).
    pub sql_statements: Option<u64>,
}

impl Reply {
    /// Why this answer counts as an error: a status other than 200, GraphQL `errors`, or a
    /// body that is not JSON. `None` for a good answer.
    pub fn problem(&self) -> Option<String> {
        if self.status != 200 {
            return Some(format!(
                "HTTP {}: {}",
                self.status,
                clip(&self.body.to_string())
            ));
        }
        if let Some(errors) = self.body.get("errors").filter(|errors| !errors.is_null()) {
            let first = errors[0]["message"].as_str().unwrap_or("(no message)");
            let code = errors[0]["extensions"]["code"].as_str().unwrap_or("-");
            return Some(format!("GraphQL error [{code}]: {}", clip(first)));
        }
        if self.body.get("unreadable").is_some() {
            return Some(format!("not JSON: {}", clip(&self.body.to_string())));
        }
        None
    }
}

/// An answer parsed into the few fields a scenario checks. Parsing into `T` (with
/// `serde::de::IgnoredAny` for the rest) allocates almost nothing, where a `Value` of a
/// 20 KB product grid costs hundreds of allocations: on a shared 2-core machine the load
/// generator's own work would otherwise cap what it can measure.
#[derive(Debug, serde::Deserialize)]
pub struct Typed<T> {
    pub data: Option<T>,
    #[serde(default)]
    pub errors: Option<Vec<TypedError>>,
}

#[derive(Debug, serde::Deserialize)]
pub struct TypedError {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub extensions: Option<TypedExtensions>,
}

#[derive(Debug, serde::Deserialize)]
pub struct TypedExtensions {
    #[serde(default)]
    pub code: Option<String>,
}

/// The first 200 characters of an error text.
fn clip(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

impl Gql {
    /// A client for the server at `base_url` (`http://host:port`; a trailing `/graphql` is
    /// accepted) keeping up to `pool` idle connections, each request failing after `timeout`.
    pub fn new(base_url: &str, pool: usize, timeout: Duration) -> anyhow::Result<Self> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let base = trimmed.strip_suffix("/graphql").unwrap_or(trimmed);
        let parsed = reqwest::Url::parse(base)
            .with_context(|| format!("--url {base_url:?} is not a URL"))?;
        if parsed.scheme() != "http" {
            bail!(
                "--url {base_url:?}: only http:// is supported (this build of the bench has no TLS)"
            );
        }
        let http = reqwest::Client::builder()
            .http1_only()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(pool.max(1))
            .pool_idle_timeout(Duration::from_secs(90))
            .connect_timeout(Duration::from_secs(10))
            .timeout(timeout)
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            http,
            base: base.into(),
            endpoint: format!("{base}/graphql").into(),
            token: None,
            no_cache: false,
        })
    }

    /// `http://host:port`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `ws://host:port/graphql`.
    pub fn websocket_url(&self) -> String {
        let rest = self.base.strip_prefix("http").unwrap_or(&self.base);
        format!("ws{rest}/graphql")
    }

    /// The same client sending `Authorization: Bearer <token>`.
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    /// The same client asking the server not to answer from its response cache.
    pub fn uncached(&self) -> Self {
        Self {
            no_cache: true,
            ..self.clone()
        }
    }

    /// The POST of `query` with `variables`, with this client's headers.
    fn request(&self, query: &str, variables: &Value) -> reqwest::RequestBuilder {
        self.request_body(&json!({ "query": query, "variables": variables }))
    }

    fn request_body(&self, body: &Value) -> reqwest::RequestBuilder {
        let mut request = self.http.post(&*self.endpoint).json(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if self.no_cache {
            request = request.header("cache-control", "no-cache");
        }
        request
    }

    /// POSTs `query` with `variables`. `Err` only for transport failures (connection refused,
    /// reset, timeout); HTTP and GraphQL errors are in the [`Reply`].
    pub async fn post(&self, query: &str, variables: &Value) -> anyhow::Result<Reply> {
        self.post_body(&json!({ "query": query, "variables": variables }))
            .await
    }

    /// POSTs a whole GraphQL request body (with `extensions`, say); like [`Gql::post`].
    pub async fn post_body(&self, body: &Value) -> anyhow::Result<Reply> {
        let response = self.request_body(body).send().await?;
        let status = response.status().as_u16();
        let sql_statements = response
            .headers()
            .get("x-sql-statements")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let bytes = response.bytes().await?;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| json!({ "unreadable": clip(&String::from_utf8_lossy(&bytes)) }));
        Ok(Reply {
            status,
            body,
            sql_statements,
        })
    }

    /// POSTs and reads the answer as `T`; `Err` for transport failures and for answers that
    /// are not 200 or not of the expected shape (as the message).
    pub async fn post_typed<T: serde::de::DeserializeOwned>(
        &self,
        query: &str,
        variables: &Value,
    ) -> anyhow::Result<Result<T, String>> {
        let response = self.request(query, variables).send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        if status != 200 {
            return Ok(Err(format!(
                "HTTP {status}: {}",
                clip(&String::from_utf8_lossy(&bytes))
            )));
        }
        Ok(match serde_json::from_slice::<Typed<T>>(&bytes) {
            Ok(Typed {
                errors: Some(errors),
                ..
            }) if !errors.is_empty() => {
                let code = errors[0]
                    .extensions
                    .as_ref()
                    .and_then(|e| e.code.as_deref())
                    .unwrap_or("-");
                Err(format!(
                    "GraphQL error [{code}]: {}",
                    clip(&errors[0].message)
                ))
            }
            Ok(Typed {
                data: Some(data), ..
            }) => Ok(data),
            Ok(Typed { data: None, .. }) => Err("no data in the answer".to_owned()),
            Err(err) => Err(format!(
                "unexpected answer ({err}): {}",
                clip(&String::from_utf8_lossy(&bytes))
            )),
        })
    }

    /// POSTs and returns `data`, treating any problem as an error (for setup requests).
    pub async fn data(&self, query: &str, variables: &Value) -> anyhow::Result<Value> {
        let mut reply = self
            .post(query, variables)
            .await
            .with_context(|| format!("POST {}", self.endpoint))?;
        if let Some(problem) = reply.problem() {
            bail!("{problem}");
        }
        Ok(reply.body["data"].take())
    }

    /// Whether `GET /readyz` answers 200.
    pub async fn ready(&self) -> bool {
        let answer = self
            .http
            .get(format!("{}/readyz", self.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        matches!(answer, Ok(response) if response.status().is_success())
    }

    /// Signs the staff account in and returns its access token.
    pub async fn staff_token(&self, email: &str, password: &str) -> anyhow::Result<String> {
        let data = self
            .data(
                "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { accessToken userErrors { code message } } }",
                &json!({ "e": email, "p": password }),
            )
            .await
            .context("staff sign-in (tokenCreate)")?;
        match data["tokenCreate"]["accessToken"].as_str() {
            Some(token) => Ok(token.to_owned()),
            None => bail!(
                "staff sign-in as {email} refused: {} (with --start the bench creates this \
                 account; against --url, pass --staff-email/--staff-password of an account \
                 with MANAGE_INVENTORY)",
                data["tokenCreate"]["userErrors"]
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_base_or_a_graphql_url() -> anyhow::Result<()> {
        let timeout = Duration::from_secs(1);
        for url in [
            "http://127.0.0.1:8000",
            "http://127.0.0.1:8000/",
            "http://127.0.0.1:8000/graphql",
        ] {
            let gql = Gql::new(url, 1, timeout)?;
            assert_eq!(gql.base(), "http://127.0.0.1:8000");
            assert_eq!(gql.websocket_url(), "ws://127.0.0.1:8000/graphql");
        }
        assert!(Gql::new("https://example.com", 1, timeout).is_err());
        assert!(Gql::new("not a url", 1, timeout).is_err());
        Ok(())
    }

    #[test]
    fn classifies_answers() {
        let reply = |status, body| Reply {
            status,
            body,
            sql_statements: None,
        };
        assert_eq!(reply(200, json!({ "data": {} })).problem(), None);
        assert_eq!(
            reply(200, json!({ "data": null, "errors": null })).problem(),
            None
        );
        assert!(
            reply(200, json!({ "errors": [{ "message": "boom" }] }))
                .problem()
                .is_some_and(|p| p.contains("boom"))
        );
        assert!(reply(503, json!({})).problem().is_some());
        assert!(
            reply(200, json!({ "unreadable": "<html>" }))
                .problem()
                .is_some()
        );
    }
}
