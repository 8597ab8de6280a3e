//! In production the schema is not handed to strangers: introspection, federation's
//! `_service { sdl }` (the whole schema as text) and "Did you mean …" suggestions are off,
//! unless `INTROSPECTION=true`; a federation router reads the SDL with its key.

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

const ROUTER_KEY: &str = "router key of the federation gateway";

async fn post(server: &TestServer, query: &str, key: Option<&str>) -> anyhow::Result<Value> {
    let mut request = server
        .http()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(key) = key {
        request = request.header("x-federation-sdl-key", key);
    }
    Ok(request.send().await?.json().await?)
}

fn production(introspection: bool) -> impl FnOnce(&mut shopgraph::config::Config) {
    move |config| {
        config.server.production = true;
        config.server.introspection = introspection;
        config.auth.jwt_secret = "a production secret of at least 32 bytes".parse().ok();
        config.server.federation_sdl_key = Some(ROUTER_KEY.into());
    }
}

async fn production_keeps_the_schema_to_itself(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::start(backend.clone(), 1, production(false)).await?;
    let sdl = "{ _service { sdl } }";
    for key in [None, Some("a guess")] {
        let body = post(&server, sdl, key).await?;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{body}"
        );
        assert!(body["data"].is_null(), "{body}");
    }
    let body = post(
        &server,
        "fragment S on Query { _service { sdl } } { ...S }",
        None,
    )
    .await?;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    let body = post(&server, sdl, Some(ROUTER_KEY)).await?;
    let text = body["data"]["_service"]["sdl"].as_str().unwrap_or_default();
    assert!(
        text.contains("type Product"),
        "the router gets the SDL: {body}"
    );

    // Typos get no hints.
    let body = post(&server, "{ prodcts(first: 1) { nodes { id } } }", None).await?;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("prodcts"), "{body}");
    assert!(!message.contains("Did you mean"), "{body}");

    // Entities stay resolvable for the router's query plans.
    let body = post(
        &server,
        "{ _entities(representations: []) { __typename } }",
        None,
    )
    .await?;
    assert!(body["data"]["_entities"].is_array(), "{body}");
    server.stop().await?;

    // INTROSPECTION=true in production: all of it is available again.
    let open = TestServer::start(backend, 1, production(true)).await?;
    let body = post(&open, sdl, None).await?;
    assert!(body["data"]["_service"]["sdl"].is_string(), "{body}");
    let body = post(&open, "{ prodcts(first: 1) { nodes { id } } }", None).await?;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Did you mean")),
        "{body}"
    );
    open.stop().await
}
e2e!(production_keeps_the_schema_to_itself);
