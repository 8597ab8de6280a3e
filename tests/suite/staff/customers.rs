//! MANAGE_CUSTOMERS: staff list and search customer accounts and read one with its orders;
//! without the permission the same queries are FORBIDDEN.

use super::staff_with;
use crate::carts::Shop;
use e2e::{Backend, e2e};
use serde_json::json;

const SEARCH: &str = "query($q: String) { customers(first: 10, query: $q) { nodes { id email isStaff } pageInfo { hasNextPage } } }";
const ONE: &str =
    "query($id: ID!) { customer(id: $id) { email orders(first: 5) { nodes { id } } } }";

async fn staff_with_manage_customers_see_customers_and_their_orders(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let server = &shop.server;
    let alice = server.customer("alice.smith@example.com").await?;
    server.customer("bob_jones@example.com").await?;
    let order = shop.customer_order(&alice).await?.1["id"].clone();
    let (cara, _, _) = staff_with(server, "cara@example.com", &["MANAGE_CUSTOMERS"]).await?;
    let (sam, _, _) = staff_with(server, "sam@example.com", &["MANAGE_STAFF"]).await?;

    let emails = |response: &e2e::GraphqlResponse| -> Vec<String> {
        response.data()["customers"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["email"].as_str().unwrap().to_owned())
            .collect()
    };
    let found = server
        .graphql_as(Some(&cara), SEARCH, json!({ "q": "ALICE" }))
        .await?;
    assert_eq!(
        emails(&found),
        ["alice.smith@example.com"],
        "{}",
        found.body
    );
    let id = found.data()["customers"]["nodes"][0]["id"].clone();
    // LIKE's wildcards are matched literally.
    let underscore = server
        .graphql_as(Some(&cara), SEARCH, json!({ "q": "b_j" }))
        .await?;
    assert_eq!(emails(&underscore), ["bob_jones@example.com"]);
    let percent = server
        .graphql_as(Some(&cara), SEARCH, json!({ "q": "%" }))
        .await?;
    assert_eq!(emails(&percent), Vec::<String>::new());
    let everyone = server.graphql_as(Some(&cara), SEARCH, json!({})).await?;
    let all = emails(&everyone);
    assert!(all.len() >= 5, "{all:?}");
    let staff_flags: Vec<bool> = everyone.data()["customers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["email"] == "cara@example.com" || c["email"] == "alice.smith@example.com")
        .map(|c| c["isStaff"].as_bool().unwrap())
        .collect();
    assert_eq!(staff_flags.len(), 2);
    assert!(staff_flags.contains(&true) && staff_flags.contains(&false));

    let one = server
        .graphql_as(Some(&cara), ONE, json!({ "id": id }))
        .await?;
    assert_eq!(one.data()["customer"]["email"], "alice.smith@example.com");
    assert_eq!(
        one.data()["customer"]["orders"]["nodes"][0]["id"],
        order,
        "{}",
        one.body
    );

    for token in [sam.as_str(), alice.token().unwrap()] {
        for (query, variables) in [(SEARCH, json!({})), (ONE, json!({ "id": id }))] {
            let refused = server.graphql_as(Some(token), query, variables).await?;
            assert_eq!(refused.error_code(), Some("FORBIDDEN"), "{}", refused.body);
        }
    }
    shop.server.stop().await
}
e2e!(staff_with_manage_customers_see_customers_and_their_orders);
