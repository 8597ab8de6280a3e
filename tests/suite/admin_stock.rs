//! Staff stock changes: permissions, the allocation guard, atomicity, and live events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, WsProtocol, e2e};
use entities::stock_level;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

const SET: &str = "mutation($v: ID!, $w: ID!, $n: Int!) { stockSet(variantId: $v, warehouseId: $w, onHand: $n) {
    stockLevel { onHand allocated available warehouse { code } } userErrors { field message code } } }";
const ADJUST: &str = "mutation($v: ID!, $w: ID!, $d: Int!, $r: String!) { stockAdjust(variantId: $v, warehouseId: $w, delta: $d, reason: $r) {
    stockLevel { onHand allocated available } userErrors { field message code } } }";

struct Fixture {
    server: TestServer,
    admin: String,
    product: String,
    variant: String,
    warehouse: String,
}

async fn fixture(backend: Backend) -> anyhow::Result<Fixture> {
    let server = TestServer::with_admin(backend, 3).await?;
    let admin = server.admin_token().await?;
    let ids = server
        .graphql_as(
            Some(&admin),
            "{ products(first: 1) { nodes { id variants { id } } } warehouses { id } }",
            json!({}),
        )
        .await?;
    let data = ids.data().clone();
    Ok(Fixture {
        product: data["products"]["nodes"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        variant: data["products"]["nodes"][0]["variants"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        warehouse: data["warehouses"][0]["id"].as_str().unwrap().to_owned(),
        server,
        admin,
    })
}

impl Fixture {
    async fn set(&self, on_hand: i64) -> anyhow::Result<Value> {
        let r = self
            .server
            .graphql_as(
                Some(&self.admin),
                SET,
                json!({ "v": self.variant, "w": self.warehouse, "n": on_hand }),
            )
            .await?;
        Ok(r.data()["stockSet"].clone())
    }

    async fn adjust(&self, delta: i64, reason: &str) -> anyhow::Result<Value> {
        let vars = json!({ "v": self.variant, "w": self.warehouse, "d": delta, "r": reason });
        let r = self
            .server
            .graphql_as(Some(&self.admin), ADJUST, vars)
            .await?;
        Ok(r.data()["stockAdjust"].clone())
    }

    async fn level(&self) -> anyhow::Result<stock_level::Model> {
        let key = (self.variant.parse()?, self.warehouse.parse()?);
        Ok(stock_level::Entity::find_by_id(key)
            .one(&self.server.app.app.db)
            .await?
            .unwrap())
    }
}

async fn stock_changes_need_manage_inventory(backend: Backend) -> anyhow::Result<()> {
    let f = fixture(backend).await?;
    let before = f.level().await?;
    let vars = json!({ "v": f.variant, "w": f.warehouse, "n": 999 });
    assert_eq!(
        f.server
            .graphql_as(None, SET, vars.clone())
            .await?
            .error_code(),
        Some("UNAUTHENTICATED")
    );
    let shopper = f.server.customer_token("s@example.com").await?;
    assert_eq!(
        f.server
            .graphql_as(Some(&shopper), SET, vars)
            .await?
            .error_code(),
        Some("FORBIDDEN")
    );
    // Permission comes before validation: bad input from a stranger is still UNAUTHENTICATED.
    let bad = json!({ "v": f.variant, "w": f.warehouse, "d": 0, "r": "" });
    assert_eq!(
        f.server.graphql_as(None, ADJUST, bad).await?.error_code(),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(f.level().await?, before, "nothing changed");
    f.server.stop().await
}
e2e!(stock_changes_need_manage_inventory);

async fn stock_never_falls_below_allocated(backend: Backend) -> anyhow::Result<()> {
    let f = fixture(backend).await?;
    let set = f.set(12).await?;
    assert_eq!(set["userErrors"], json!([]));
    assert_eq!(set["stockLevel"]["onHand"], 12);
    let adjusted = f.adjust(-2, "damaged in transit").await?;
    assert_eq!(adjusted["stockLevel"]["onHand"], 10);

    // Five units are promised to orders.
    let mut level = f.level().await?.into_active_model();
    level.allocated = Set(5);
    level.update(&f.server.app.app.db).await?;

    for refused in [f.set(4).await?, f.adjust(-6, "recount").await?] {
        assert_eq!(refused["stockLevel"], Value::Null);
        assert_eq!(refused["userErrors"][0]["code"], "INVALID");
        assert!(
            refused["userErrors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("5 units allocated")
        );
    }
    for (refused, field) in [
        (f.set(-1).await?, "onHand"),
        (f.adjust(0, "nothing").await?, "delta"),
        (f.adjust(3, "  ").await?, "reason"),
    ] {
        assert_eq!(
            refused["userErrors"][0]["field"],
            json!([field]),
            "{refused}"
        );
    }
    let level = f.level().await?;
    assert_eq!(
        (level.on_hand, level.allocated),
        (10, 5),
        "refused changes changed nothing"
    );
    let exact = f.set(5).await?;
    assert_eq!(
        exact["stockLevel"]["available"], 0,
        "on hand may equal allocated"
    );

    let unknown = f
        .server
        .graphql_as(
            Some(&f.admin),
            SET,
            json!({ "v": uuid::Uuid::now_v7().to_string(), "w": f.warehouse, "n": 1 }),
        )
        .await?;
    assert_eq!(
        unknown.data()["stockSet"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let malformed = f
        .server
        .graphql_as(
            Some(&f.admin),
            SET,
            json!({ "v": "nope", "w": f.warehouse, "n": 1 }),
        )
        .await?;
    assert_eq!(malformed.error_code(), Some("BAD_USER_INPUT"));
    f.server.stop().await
}
e2e!(stock_never_falls_below_allocated);

async fn concurrent_adjustments_lose_nothing(backend: Backend) -> anyhow::Result<()> {
    let f = fixture(backend).await?;
    f.set(10).await?;
    // 25 staff members remove one unit each at the same time: exactly 10 succeed.
    let attempts = (0..25).map(|_| f.adjust(-1, "picked for a display"));
    let results = futures_util::future::join_all(attempts).await;
    let mut succeeded = 0;
    for result in results {
        let payload = result?;
        if payload["userErrors"] == json!([]) {
            succeeded += 1;
        } else {
            assert_eq!(payload["userErrors"][0]["code"], "INVALID", "{payload}");
        }
    }
    assert_eq!(succeeded, 10);
    assert_eq!(f.level().await?.on_hand, 0);
    f.server.stop().await
}
e2e!(concurrent_adjustments_lose_nothing);

async fn subscribers_see_staff_stock_changes(backend: Backend) -> anyhow::Result<()> {
    let f = fixture(backend).await?;
    let before = f.server.event_subscribers().await?;
    let mut client = f
        .server
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    let query =
        "subscription($p: [ID!]) { stockChanged(productIds: $p) { variantId available inStock } }";
    client
        .subscribe("1", query, json!({ "p": [f.product] }))
        .await?;
    f.server.until_subscribers(before + 1).await?;

    f.set(0).await?;
    let after_set = client.next_json().await?;
    f.adjust(7, "delivery").await?;
    let after_adjust = client.next_json().await?;
    let total = f.server.graphql_as(None, "query($v: ID!) { _entities(representations: [{ __typename: \"ProductVariant\", id: $v }]) { ... on ProductVariant { quantityAvailable } } }", json!({ "v": f.variant })).await?;
    let available = total.data()["_entities"][0]["quantityAvailable"].clone();

    let update = &after_adjust["payload"]["data"]["stockChanged"];
    assert_eq!(update["variantId"], f.variant.as_str());
    assert_eq!(
        update["available"], available,
        "events carry the absolute availability"
    );
    let first = &after_set["payload"]["data"]["stockChanged"];
    assert_eq!(
        first["available"].as_i64().unwrap() + 7,
        update["available"].as_i64().unwrap()
    );
    f.server.stop().await
}
e2e!(subscribers_see_staff_stock_changes);

async fn stock_beyond_the_column_range_is_a_user_error(backend: Backend) -> anyhow::Result<()> {
    let f = fixture(backend).await?;
    f.set(5).await?;
    let max = i64::from(i32::MAX);
    // 5 + 2147483647 does not fit: refused as input, not an internal error.
    let refused = f.adjust(max, "a miscount").await?;
    assert_eq!(refused["stockLevel"], Value::Null, "{refused}");
    assert_eq!(refused["userErrors"][0]["code"], "INVALID");
    assert_eq!(refused["userErrors"][0]["field"], json!(["delta"]));
    assert_eq!(f.level().await?.on_hand, 5, "nothing changed");
    // Up to the column's largest value is fine, one more is not.
    let filled = f.adjust(max - 5, "a big delivery").await?;
    assert_eq!(filled["stockLevel"]["onHand"], max, "{filled}");
    let over = f.adjust(1, "one more").await?;
    assert_eq!(over["userErrors"][0]["code"], "INVALID", "{over}");
    assert_eq!(f.level().await?.on_hand, i32::MAX);
    let back = f.adjust(-max, "recount").await?;
    assert_eq!(back["stockLevel"]["onHand"], 0, "{back}");
    f.server.stop().await
}
e2e!(stock_beyond_the_column_range_is_a_user_error);
