//! Documents whose cost grows faster than their length: fragments that double at every level,
//! fragment cycles, and megabyte documents of every shape. Each is refused by a check linear
//! in its length, before the parser recurses or validation expands a fragment, and the server
//! stays responsive while many arrive at once.

use e2e::{Backend, GraphqlResponse, TestServer, e2e};
use serde_json::{Value, json};
use std::time::Duration;

/// Just under the default body limit once wrapped in JSON.
const ONE_MB: usize = 1_000_000;

/// 24 levels of fragments, each spreading the previous one twice: 905 bytes that expand to
/// 16 million selections. `salt` makes each copy a different document.
pub fn fragment_bomb(salt: usize) -> String {
    let mut document =
        format!("query Bomb{salt} {{ ...F24 }}\nfragment F0 on Query {{ __typename }}\n");
    for level in 1..=24 {
        let previous = level - 1;
        document.push_str(&format!(
            "fragment F{level} on Query {{ ...F{previous} ...F{previous} }}\n"
        ));
    }
    document
}

async fn post(server: &TestServer, query: &str) -> anyhow::Result<GraphqlResponse> {
    server.graphql(query, json!({})).await
}

fn refused_with(response: &GraphqlResponse, words: &str) -> bool {
    response.error_code() == Some("BAD_USER_INPUT")
        && response.error_message().contains(words)
        && response.body["data"].is_null()
}

async fn costly_documents_are_refused_before_they_are_expanded(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 2).await?;
    let mut failures = Vec::new();
    let mut expect = |name: &str, response: GraphqlResponse, words: &str| {
        if !refused_with(&response, words) {
            failures.push(format!("{name}: {}", super::short(&response.body)));
        }
    };

    expect(
        "fragment bomb",
        post(&server, &fragment_bomb(0)).await?,
        "expands to more than",
    );
    let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { __typename ...A }";
    expect(
        "fragment cycle",
        post(&server, cycle).await?,
        "spreads itself",
    );

    // A megabyte of each shape a hostile document can take.
    let tokens = format!("{{ {} }}", "a ".repeat(ONE_MB / 2));
    expect("1 MB of tokens", post(&server, &tokens).await?, "tokens");
    let nesting = format!("{}{}", "{a".repeat(ONE_MB / 4), "}".repeat(ONE_MB / 4));
    expect("1 MB of nesting", post(&server, &nesting).await?, "nests");
    let lists = format!("{{ product(slug: {}) {{ id }} }}", "[".repeat(ONE_MB));
    expect("1 MB of open lists", post(&server, &lists).await?, "nests");
    let directives = format!(
        "{{ __typename {} }}",
        "@skip(if: false) ".repeat(ONE_MB / 17)
    );
    expect(
        "1 MB of directives",
        post(&server, &directives).await?,
        "directives",
    );
    let aliases: String = (0..50_000).map(|i| format!("a{i}: __typename ")).collect();
    expect(
        "1 MB of aliases",
        post(&server, &format!("{{ {aliases} }}")).await?,
        "tokens",
    );
    let fragments: String = (0..25_000)
        .map(|i| format!("fragment F{i} on Query {{ __typename }} "))
        .collect();
    expect(
        "1 MB of fragments",
        post(&server, &format!("{{ __typename }} {fragments}")).await?,
        "tokens",
    );

    // Large but honest in shape: a long comment and a long string are one token each.
    let comment = format!("# {}\n{{ __typename }}", "x".repeat(ONE_MB - 100));
    let answer = post(&server, &comment).await?;
    if answer.data()["__typename"] != "Query" {
        failures.push(format!("long comment: {}", super::short(&answer.body)));
    }
    let string = format!(
        "{{ product(slug: \"{}\") {{ id }} }}",
        "x".repeat(ONE_MB - 100)
    );
    let answer = post(&server, &string).await?;
    if answer.body.get("errors").is_some() || !answer.data()["product"].is_null() {
        failures.push(format!("long string: {}", super::short(&answer.body)));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    server.stop().await
}
e2e!(costly_documents_are_refused_before_they_are_expanded);

/// Sixteen fragment bombs at once (more than the machine has cores) while a load balancer
/// polls `/healthz`: every bomb is refused and the health check keeps answering. Before the
/// documents were measured up front, two bombs froze `/healthz` for 13 s.
async fn the_server_stays_responsive_under_a_volley_of_bombs(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    let bombs: Vec<_> = (0..16)
        .map(|salt| {
            let http = server.http().clone();
            let url = server.url("/graphql");
            tokio::spawn(async move {
                let response = http
                    .post(url)
                    .json(&json!({ "query": fragment_bomb(salt) }))
                    .send()
                    .await?;
                anyhow::Ok(response.json::<Value>().await?)
            })
        })
        .collect();
    // Generous: a frozen server is far slower than this, a healthy one far faster.
    let health = tokio::time::timeout(
        Duration::from_secs(10),
        server.http().get(server.url("/healthz")).send(),
    )
    .await;
    assert!(
        matches!(&health, Ok(Ok(r)) if r.status() == 200),
        "/healthz did not answer while bombs were being refused: {health:?}"
    );
    for bomb in bombs {
        let body = bomb.await??;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("expands to more than")),
            "{body}"
        );
    }
    server.stop().await
}
e2e!(the_server_stays_responsive_under_a_volley_of_bombs);
