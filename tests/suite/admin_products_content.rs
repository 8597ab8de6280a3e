//! Product content (issue 19): tags, SEO, the sanitised HTML description and the options
//! derived from variants; compare-at prices per currency; the best-selling count and sort.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::carts::Shop;
use e2e::{Backend, OrderAction, OrderId, e2e};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CREATE: &str = "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id slug } userErrors { field code message } } }";
const UPDATE: &str = "mutation($id: ID!, $input: ProductUpdateInput!) { productUpdate(id: $id, input: $input) { product { id } userErrors { field code message } } }";
const READ: &str = "query($id: ID!) { product(id: $id) { name description descriptionHtml tags seo { title description } options { name values } } }";
const VARIANT_UPDATE: &str = "mutation($id: ID!, $input: ProductVariantUpdateInput!) { productVariantUpdate(id: $id, input: $input) { productVariant { usd: compareAtPrice(currency: USD) { amount } eur: compareAtPrice(currency: EUR) { amount } } userErrors { field code message } } }";

fn fields(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["field"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

async fn content_round_trips_sanitised(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let admin = &shop.admin;
    let variant = |sku: &str, size: &str, colour: &str| {
        json!({ "sku": sku, "prices": [{ "amount": "10.00", "currencyCode": "USD" }],
                "options": [{ "name": "Size", "value": size }, { "name": "Colour", "value": colour }] })
    };
    let created = admin
        .mutate_ok(
            CREATE,
            json!({ "input": {
                "name": "Wool Scarf", "description": "Warm.\nSoft.",
                "tags": [" Winter ", "wool", "winter", "WOOL", "gift"],
                "descriptionHtml": "<p onclick=\"steal()\">Warm <a href=\"javascript:alert(1)\">x</a><script>alert(1)</script><img src=\"https://t.example/p.gif\"> <a href=\"https://example.com\">care</a></p>",
                "variants": [variant("SC-S-R", "S", "Red"), variant("SC-M-R", "M", "Red"), variant("SC-S-B", "S", "Blue")]
            } }),
        )
        .await?;
    let id = created["product"]["id"].clone();
    let read = admin.graphql(READ, json!({ "id": id })).await?;
    let product = &read.data()["product"];
    assert_eq!(product["tags"], json!(["Winter", "wool", "gift"]));
    let html = product["descriptionHtml"].as_str().unwrap();
    for banned in ["onclick", "script", "javascript", "img", "steal"] {
        assert!(!html.contains(banned), "{banned} in {html}");
    }
    assert!(
        html.contains(
            r#"<a href="https://example.com" rel="noopener noreferrer nofollow">care</a>"#
        ),
        "{html}"
    );
    assert_eq!(
        product["description"], "Warm.\nSoft.",
        "the plain description stays"
    );
    assert_eq!(
        product["seo"],
        json!({ "title": "Wool Scarf", "description": "Warm.\nSoft." }),
        "unset SEO falls back to the name and the description"
    );
    assert_eq!(
        product["options"],
        json!([{ "name": "Size", "values": ["S", "M"] }, { "name": "Colour", "values": ["Red", "Blue"] }])
    );

    // SEO set, then one field cleared; tags replaced; the HTML cleared.
    let set = json!({ "id": id, "input": { "seo": { "title": "Scarf | Shop", "description": "Buy it." }, "tags": ["sale"] } });
    admin.mutate_ok(UPDATE, set).await?;
    let clear = json!({ "id": id, "input": { "seo": { "title": null }, "descriptionHtml": null } });
    admin.mutate_ok(UPDATE, clear).await?;
    let product = admin.graphql(READ, json!({ "id": id })).await?.data()["product"].clone();
    assert_eq!(
        product["seo"],
        json!({ "title": "Wool Scarf", "description": "Buy it." })
    );
    assert_eq!(product["tags"], json!(["sale"]));
    assert_eq!(product["descriptionHtml"], Value::Null);

    // Every bad field at once, and nothing stored.
    let bad = json!({ "id": id, "input": {
        "tags": ["ok", " ", "x".repeat(256)],
        "descriptionHtml": "a".repeat(512 * 1024 + 1),
        "seo": { "title": "t".repeat(256), "description": "d".repeat(1001) }
    } });
    let refused = admin.mutate(UPDATE, bad).await?;
    assert_eq!(
        fields(&refused),
        [
            "input.tags.1",
            "input.tags.2",
            "input.descriptionHtml",
            "input.seo.title",
            "input.seo.description"
        ],
        "{refused}"
    );
    let too_many: Vec<String> = (0..251).map(|n| format!("t{n}")).collect();
    let refused = admin
        .mutate(UPDATE, json!({ "id": id, "input": { "tags": too_many } }))
        .await?;
    assert_eq!(fields(&refused), ["input.tags"]);
    let after = admin.graphql(READ, json!({ "id": id })).await?.data()["product"].clone();
    assert_eq!(after, product, "a refused update changes nothing");
    Ok(())
}
e2e!(content_round_trips_sanitised);

async fn compare_at_prices_are_set_kept_and_cleared(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let admin = &shop.admin;
    let id = shop.items[0].variant.to_string();
    let update = |prices: Value| json!({ "id": id, "input": { "prices": prices } });
    let compare_at = |payload: &Value| {
        let v = &payload["productVariant"];
        (v["usd"]["amount"].clone(), v["eur"]["amount"].clone())
    };

    let set = admin
        .mutate_ok(
            VARIANT_UPDATE,
            update(json!([
                { "amount": "10.00", "currencyCode": "USD", "compareAtAmount": "15.00" },
                { "amount": "9.00", "currencyCode": "EUR", "compareAtAmount": "12.00" }
            ])),
        )
        .await?;
    assert_eq!(compare_at(&set), (json!("15.00"), json!("12.00")));

    // Not mentioned: kept; null: cleared.
    let kept = admin
        .mutate_ok(
            VARIANT_UPDATE,
            update(json!([
                { "amount": "11.00", "currencyCode": "USD" },
                { "amount": "9.00", "currencyCode": "EUR", "compareAtAmount": null }
            ])),
        )
        .await?;
    assert_eq!(compare_at(&kept), (json!("15.00"), Value::Null));

    // Not above the amount (given, or kept): refused, all at once, nothing changed.
    let refused = admin
        .mutate(
            VARIANT_UPDATE,
            update(json!([
                { "amount": "16.00", "currencyCode": "USD" },
                { "amount": "9.00", "currencyCode": "EUR", "compareAtAmount": "9.00" }
            ])),
        )
        .await?;
    assert_eq!(
        fields(&refused),
        [
            "input.prices.1.compareAtAmount",
            "input.prices.0.compareAtAmount"
        ],
        "the given one, then the kept one: {refused}"
    );
    let same = admin
        .mutate_ok(
            VARIANT_UPDATE,
            update(json!([{ "amount": "11.00", "currencyCode": "USD" }])),
        )
        .await?;
    assert_eq!(compare_at(&same), (json!("15.00"), Value::Null));
    Ok(())
}
e2e!(compare_at_prices_are_set_kept_and_cleared);

/// Places a guest order of `lines` (item index, quantity); returns its id.
async fn order(shop: &Shop, lines: &[(usize, i32)]) -> anyhow::Result<OrderId> {
    let cart = shop.cart_of(&shop.guest, lines).ready().create().await?;
    let placed = shop
        .guest
        .mutate_ok(
            "mutation($cart: ID!, $key: String!) { checkoutComplete(cartId: $cart, idempotencyKey: $key) { order { id } userErrors { field code message } } }",
            json!({ "cart": cart.to_string(), "key": uuid::Uuid::new_v4().to_string() }),
        )
        .await?;
    Ok(OrderId(placed["order"]["id"].as_str().unwrap().parse()?))
}

/// Slugs of the best-selling listing (`reverse` for least sold first).
async fn best_selling(shop: &Shop, reverse: bool) -> anyhow::Result<Vec<String>> {
    let q = "query($r: Boolean) { products(first: 10, sortKey: BEST_SELLING, reverse: $r) { edges { node { slug } } } }";
    let r = shop.guest.graphql(q, json!({ "r": reverse })).await?;
    Ok(r.data()["products"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .collect())
}

/// Waits until the products' `units_sold` (by item index) are `expected`: the relay counts
/// just after the checkout commits.
async fn sold(shop: &Shop, expected: &[i64]) -> anyhow::Result<()> {
    use entities::product;
    use sea_orm::EntityTrait;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut counts = Vec::new();
        for item in &shop.items {
            let p = product::Entity::find_by_id(item.product.0)
                .one(&shop.db)
                .await?;
            counts.push(p.unwrap().units_sold);
        }
        if counts == expected {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "units sold {counts:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn units_sold_count_orders_once_and_sort_best_sellers(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000, 2000, 3000], |_| {}).await?;
    assert_eq!(
        best_selling(&shop, false).await?,
        ["item-2", "item-1", "item-0"],
        "ties: newest first"
    );
    order(&shop, &[(1, 2), (0, 1)]).await?;
    let cancelled = order(&shop, &[(1, 1), (2, 3)]).await?;
    sold(&shop, &[1, 3, 3]).await?;
    shop.admin
        .order_action(OrderAction::Cancel, cancelled)
        .await?;
    sold(&shop, &[1, 2, 0]).await?;
    assert_eq!(
        best_selling(&shop, false).await?,
        ["item-1", "item-0", "item-2"]
    );
    assert_eq!(
        best_selling(&shop, true).await?,
        ["item-2", "item-0", "item-1"]
    );

    // The relay may hand an event over again: a replayed placement or cancellation counts
    // nothing twice.
    use entities::outbox;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::PublishedAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(outbox::Column::Topic.eq("order.updated"))
        .exec(&shop.db)
        .await?;
    shop.server.app.app.events.wake_relay();
    shop.server.outbox_drained().await?;
    sold(&shop, &[1, 2, 0]).await?;
    Ok(())
}
e2e!(units_sold_count_orders_once_and_sort_best_sellers);
