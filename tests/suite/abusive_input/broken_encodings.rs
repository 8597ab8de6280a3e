//! Text that is not text: lone UTF-16 surrogates (as JSON escapes in variables, or as
//! escapes in a GraphQL string) and bytes that are not UTF-8. Each is a GraphQL-shaped
//! client error, and nothing changes.

use super::{Battery, PRODUCTS, Snapshot, short};
use e2e::{Backend, TestServer, e2e};
use serde_json::json;

async fn broken_encodings_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let mut b = Battery::new(&server).await?;
    let query = "mutation($n: String!) { productCreate(input: { name: $n, slug: \"abuse-lamp\" }) { product { id } userErrors { code } } }";
    let query = serde_json::to_string(query)?;
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "lone high surrogate",
            format!(r#"{{"query":{query},"variables":{{"n":"La\ud800mp"}}}}"#).into_bytes(),
        ),
        (
            "lone low surrogate",
            format!(r#"{{"query":{query},"variables":{{"n":"\udc00"}}}}"#).into_bytes(),
        ),
        (
            "reversed pair",
            format!(r#"{{"query":{query},"variables":{{"n":"\udc00\ud800"}}}}"#).into_bytes(),
        ),
        (
            "invalid UTF-8",
            [
                format!(r#"{{"query":{query},"variables":{{"n":"La"#).as_bytes(),
                b"\xff\xfe",
                br#"mp"}}"#,
            ]
            .concat(),
        ),
        (
            "surrogate escape in GraphQL",
            serde_json::to_vec(
                &json!({ "query": "mutation { productCreate(input: { name: \"La\\ud800mp\", slug: \"abuse-lamp\" }) { product { id } userErrors { code } } }" }),
            )?,
        ),
    ];
    for (case, body) in bodies {
        let before = Snapshot::take(&server).await?;
        let response = server
            .http()
            .post(server.url("/graphql"))
            .header("content-type", "application/json")
            .bearer_auth(&b.token)
            .body(body)
            .send()
            .await?;
        match TestServer::read(response).await {
            Ok(r) => {
                b.check_clean(case, &r);
                let code = r.error_code().unwrap_or_default().to_owned();
                if !(400..500).contains(&r.status) && !r.body["errors"].is_array() {
                    b.fail(case, format!("HTTP {}: {}", r.status, short(&r.body)));
                } else if !["BAD_REQUEST", "BAD_USER_INPUT"].contains(&code.as_str()) {
                    b.fail(case, format!("code `{code}`: {}", short(&r.body)));
                }
            }
            Err(err) => b.fail(case, format!("not a GraphQL-shaped answer: {err:#}")),
        }
        b.unchanged(case, &before).await?;
    }
    b.finish()?;
    server.stop().await
}
e2e!(broken_encodings_are_refused);
