//! Documents parsed once and kept by their text (`schema::parsed_documents`): a request with a
//! kept text still answers by its own variables, and a document the input guard refused is
//! refused every time it comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::json;

async fn a_kept_document_answers_by_each_requests_variables(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 5).await?;
    let query = "query($withSlug: Boolean!, $first: Int!) {
        products(first: $first) { nodes { id slug @include(if: $withSlug) } } }";
    for (with_slug, first) in [(true, 1), (false, 2), (true, 3), (false, 1)] {
        let response = server
            .graphql(query, json!({ "withSlug": with_slug, "first": first }))
            .await?;
        let nodes = response.data()["products"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), first);
        for node in nodes {
            assert!(node["id"].is_string());
            assert_eq!(
                node.get("slug").is_some(),
                with_slug,
                "@include follows this request's variables: {node}"
            );
        }
    }
    server.stop().await
}
e2e!(a_kept_document_answers_by_each_requests_variables);

async fn a_refused_document_stays_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 1).await?;
    let aliases: String = (0..=schema::common::input_guard::MAX_ALIASES)
        .map(|n| format!("a{n}: __typename "))
        .collect();
    let query = format!("{{ {aliases} }}");
    for _ in 0..3 {
        let response = server.graphql(&query, json!({})).await?;
        assert_eq!(
            response.error_code(),
            Some("BAD_USER_INPUT"),
            "{}",
            response.error_message()
        );
        assert!(response.error_message().contains("aliased fields"));
    }
    server.stop().await
}
e2e!(a_refused_document_stays_refused);
