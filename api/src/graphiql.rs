//! The GraphiQL IDE, served from the binary.
//!
//! GraphiQL's browser assets (the GraphiQL 4 UMD bundle and stylesheet, React and ReactDOM 18)
//! are embedded at build time, so the IDE works offline, on air-gapped machines and on company
//! networks that block public CDNs, and the page runs no third-party code fetched at runtime.
//!
//! `build.rs` fetches the npm tarballs once with `npm pack` into a cache (`$SHOPGRAPH_ASSET_CACHE`,
//! else `$XDG_CACHE_HOME/shopgraph/npm`, else `~/.cache/shopgraph/npm`), verifies each against
//! its pinned registry integrity (SHA-512) and each extracted file against its pinned SHA-384,
//! and embeds the files; later builds reuse the cache without network. The bundles are never
//! committed. If the build could not get them (no npm, no registry access, or
//! `SHOPGRAPH_GRAPHIQL_CDN=1`), it warns, the page loads the same pinned files from unpkg.com
//! (with subresource integrity), and [`log_asset_source`] warns at startup.
//!
//! Assets are served at `/graphiql/assets/{name}` ([`asset`]) with long-lived caching; the page
//! references them with a content hash in the query string, so upgrades are never masked by
//! browser caches.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Where the GraphiQL page loads its assets from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetSource {
    /// From this binary, under `/graphiql/assets/`.
    Embedded,
    /// From unpkg.com: the build could not fetch the assets from the npm registry.
    Cdn,
}

/// A file embedded in the binary.
#[derive(Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
    /// A strong entity tag, quoted: the first 16 hex digits of the body's SHA-256.
    pub etag: &'static str,
}

/// A stylesheet or script of the page, in load order, with its pinned CDN fallback.
#[derive(Debug)]
pub struct PageAsset {
    pub name: &'static str,
    pub cdn_url: &'static str,
    /// Subresource integrity (SHA-384) of the pinned file.
    pub integrity: &'static str,
}

// Defines `ASSET_SOURCE`, `GRAPHIQL_VERSION`, `PAGE_ASSETS` and `ASSETS`.
include!(concat!(env!("OUT_DIR"), "/graphiql_assets.rs"));

/// The route [`asset`] is meant to be mounted on.
pub const ASSET_ROUTE: &str = "/graphiql/assets/{name}";
const ASSET_PREFIX: &str = "/graphiql/assets/";
const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
const TEMPLATE: &str = include_str!("graphiql/page.html");
const DEFAULT_QUERY: &str = r#"# Welcome to shopgraph. Run a query with Ctrl-Enter (Cmd-Enter on a Mac).
#
# Headers typed in the Headers tab, e.g. {"Authorization": "Bearer <token>"}, are sent with
# every request, and as the connection parameters of subscriptions (stockChanged).
{
  products(first: 5) {
    nodes {
      name
      priceRange {
        minVariantPrice {
          amount
          currencyCode
        }
      }
    }
  }
}
"#;

/// Whether this build embeds the GraphiQL assets or falls back to the CDN.
fn asset_source() -> AssetSource {
    ASSET_SOURCE
}

/// Logs where the GraphiQL page gets its assets from (call once at startup).
pub fn log_asset_source() {
    match asset_source() {
        AssetSource::Embedded => {
            tracing::info!(
                graphiql = GRAPHIQL_VERSION,
                "GraphiQL assets are embedded in the binary"
            )
        }
        AssetSource::Cdn => tracing::warn!(
            "GraphiQL assets are not embedded (the build could not reach the npm registry); \
             the GraphiQL page loads them from unpkg.com"
        ),
    }
}

/// The GraphiQL page for a GraphQL endpoint and its websocket subscription endpoint (paths such
/// as `/graphql`; the page turns the latter into a `ws(s)://` URL on its own origin).
pub fn page(endpoint: &str, subscription_endpoint: &str) -> Html<String> {
    Html(render(endpoint, subscription_endpoint, asset_source()))
}

fn render(endpoint: &str, subscription_endpoint: &str, source: AssetSource) -> String {
    let mut stylesheets = String::new();
    let mut scripts = String::new();
    if source == AssetSource::Cdn {
        scripts.push_str(
            "<!-- This build could not embed GraphiQL's assets; they come from unpkg.com. -->\n",
        );
    }
    for page_asset in PAGE_ASSETS {
        let src = match source {
            AssetSource::Embedded => {
                let version = find(page_asset.name)
                    .map(|a| a.etag.trim_matches('"'))
                    .unwrap_or_default();
                format!("{ASSET_PREFIX}{}?v={version}", page_asset.name)
            }
            AssetSource::Cdn => page_asset.cdn_url.to_owned(),
        };
        let src = html_attribute(&src);
        let integrity = match source {
            AssetSource::Embedded => String::new(),
            AssetSource::Cdn => {
                format!(
                    r#" integrity="{}" crossorigin="anonymous""#,
                    html_attribute(page_asset.integrity)
                )
            }
        };
        if page_asset.name.ends_with(".css") {
            stylesheets.push_str(&format!(
                "<link rel=\"stylesheet\" href=\"{src}\"{integrity}>\n"
            ));
        } else {
            scripts.push_str(&format!("<script src=\"{src}\"{integrity}></script>\n"));
        }
    }
    fill(TEMPLATE, |key| match key {
        "stylesheets" => Some(stylesheets.trim_end().to_owned()),
        "scripts" => Some(scripts.trim_end().to_owned()),
        "endpoint" => Some(js_string(endpoint)),
        "subscription_endpoint" => Some(js_string(subscription_endpoint)),
        "default_query" => Some(js_string(DEFAULT_QUERY)),
        _ => None,
    })
}

/// Replaces each `{{key}}` in one pass (so values are never re-scanned); unknown keys stay.
fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after
            .find("}}")
            .and_then(|end| value(&after[..end]).map(|v| (end, v)))
        {
            Some((end, v)) => {
                out.push_str(&v);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A JavaScript string literal that is also safe inside an HTML `<script>` element.
fn js_string(value: &str) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "\"\"".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn html_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.name == name)
}

/// `GET /graphiql/assets/{name}`: an embedded asset, cacheable for a year, with `ETag` and
/// `If-None-Match` support; 404 for anything else.
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = find(&name) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "not found",
        )
            .into_response();
    };
    if if_none_match(&headers, asset.etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, asset.etag),
                (header::CACHE_CONTROL, CACHE_CONTROL),
            ],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::ETAG, asset.etag),
            (header::CACHE_CONTROL, CACHE_CONTROL),
        ],
        asset.body,
    )
        .into_response()
}

/// Whether `If-None-Match` lists `etag` (weak comparison, as RFC 9110 prescribes) or is `*`.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const NAMES: [(&str, &str); 4] = [
        ("graphiql.min.js", "text/javascript"),
        ("graphiql.min.css", "text/css"),
        ("react.production.min.js", "text/javascript"),
        ("react-dom.production.min.js", "text/javascript"),
    ];

    async fn get(name: &str, if_none_match: Option<&str>) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(tag) = if_none_match {
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(tag).unwrap());
        }
        asset(Path(name.to_owned()), headers).await
    }

    #[test]
    fn the_page_uses_the_embedded_assets_and_the_endpoints() {
        let html = render("/api/graphql", "/api/graphql/ws", AssetSource::Embedded);
        assert!(html.contains("<title>shopgraph GraphiQL</title>"));
        assert!(html.contains(r#"var endpoint = "/api/graphql";"#), "{html}");
        assert!(
            html.contains(r#"var subscriptionEndpoint = "/api/graphql/ws";"#),
            "{html}"
        );
        assert!(html.contains("location.protocol === 'https:' ? 'wss:' : 'ws:'"));
        assert!(html.contains("GraphiQL.createFetcher("));
        assert!(html.contains("wsConnectionParams: params"));
        assert!(html.contains("products(first: 5)"));
        assert!(
            !html.contains("unpkg.com") && !html.contains("https://"),
            "no CDN: {html}"
        );
        assert!(!html.contains("{{"), "every placeholder is filled");
        for (name, _) in NAMES {
            assert!(
                html.contains(&format!("\"/graphiql/assets/{name}?v=")),
                "{name}"
            );
        }
        // React, then ReactDOM, then GraphiQL.
        let position = |name: &str| html.find(&format!("/graphiql/assets/{name}")).unwrap();
        assert!(position("react.production.min.js") < position("react-dom.production.min.js"));
        assert!(position("react-dom.production.min.js") < position("graphiql.min.js"));
    }

    #[test]
    fn the_served_page_matches_the_build() {
        let Html(html) = page("/graphql", "/graphql");
        assert_eq!(
            html.contains("unpkg.com"),
            asset_source() == AssetSource::Cdn
        );
        assert!(html.contains(r#"var endpoint = "/graphql";"#));
    }

    #[test]
    fn the_cdn_fallback_pins_versions_and_integrity() {
        let html = render("/graphql", "/graphql", AssetSource::Cdn);
        for url in [
            "https://unpkg.com/react@18.3.1/umd/react.production.min.js",
            "https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js",
            "https://unpkg.com/graphiql@4.1.2/graphiql.min.js",
            "https://unpkg.com/graphiql@4.1.2/graphiql.min.css",
        ] {
            assert!(
                html.contains(&format!("\"{url}\" integrity=\"sha384-")),
                "{url}: {html}"
            );
        }
        assert!(!html.contains("/graphiql/assets/"));
    }

    #[test]
    fn endpoints_cannot_break_out_of_the_script() {
        let html = render(
            "/x\"</script><script>alert(1)//",
            "/y'&",
            AssetSource::Embedded,
        );
        assert!(!html.contains("</script><script>alert"));
        assert!(
            html.contains(
                r#"var endpoint = "/x\"\u003c/script\u003e\u003cscript\u003ealert(1)//";"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"var subscriptionEndpoint = "/y'\u0026";"#));
        // A value that looks like a placeholder is not expanded.
        let html = render("{{default_query}}", "/graphql", AssetSource::Embedded);
        assert!(html.contains(r#"var endpoint = "{{default_query}}";"#));
    }

    #[tokio::test]
    async fn serves_each_embedded_asset_with_caching_headers() {
        if asset_source() == AssetSource::Cdn {
            assert!(ASSETS.is_empty());
            for (name, _) in NAMES {
                assert_eq!(get(name, None).await.status(), StatusCode::NOT_FOUND);
            }
            return;
        }
        assert_eq!(ASSETS.len(), NAMES.len());
        for (name, content_type) in NAMES {
            let response = get(name, None).await;
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            let headers = response.headers().clone();
            assert!(
                headers[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with(content_type),
                "{name}"
            );
            assert_eq!(headers[header::CACHE_CONTROL], CACHE_CONTROL);
            let etag = headers[header::ETAG].to_str().unwrap().to_owned();
            assert_eq!(etag.len(), 18, "{etag}");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            assert!(body.len() > 5_000, "{name} is a real bundle");

            let cached = get(name, Some(&etag)).await;
            assert_eq!(cached.status(), StatusCode::NOT_MODIFIED, "{name}");
            assert_eq!(cached.headers()[header::ETAG], etag.as_str());
            assert!(
                axum::body::to_bytes(cached.into_body(), usize::MAX)
                    .await
                    .unwrap()
                    .is_empty()
            );
            let listed = format!("\"0000000000000000\", W/{etag}");
            assert_eq!(
                get(name, Some(&listed)).await.status(),
                StatusCode::NOT_MODIFIED
            );
            assert_eq!(
                get(name, Some("\"0000000000000000\"")).await.status(),
                StatusCode::OK
            );
        }
        let js = axum::body::to_bytes(get("graphiql.min.js", None).await.into_body(), usize::MAX)
            .await
            .unwrap();
        let js = String::from_utf8_lossy(&js);
        assert!(
            js.contains("createFetcher") && js.contains("graphql-transport-ws"),
            "the bundle has graphql-ws"
        );
    }

    #[tokio::test]
    async fn unknown_names_are_not_found() {
        for name in [
            "nope.js",
            "../Cargo.toml",
            "..%2FCargo.toml",
            "/etc/passwd",
            "",
            "graphiql.min.js/",
        ] {
            let response = get(name, None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{name}");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            assert_eq!(&body[..], b"not found");
        }
    }
}
