//! Staff renaming and deleting warehouses (issue 19): who may, the input rules, and what
//! keeps a warehouse from being deleted (stock there, orders' allocations and shipments).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::carts::Shop;
use e2e::{Backend, OrderAction, OrderId, e2e};
use entities::stock_level;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const UPDATE: &str = "mutation($id: ID!, $input: WarehouseUpdateInput!) { warehouseUpdate(id: $id, input: $input) { warehouse { id code name priority } userErrors { field code message } } }";
const DELETE: &str = "mutation($id: ID!) { warehouseDelete(id: $id) { deletedWarehouseId userErrors { field code message } } }";

fn codes(payload: &Value) -> Vec<(String, String)> {
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].to_string(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn warehouses_are_updated(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let spare = shop.admin.create_warehouse("SPARE").await?.to_string();
    let guest = shop
        .guest
        .graphql(UPDATE, json!({ "id": spare, "input": { "name": "x" } }))
        .await?;
    assert!(guest.error_code().is_some(), "staff only");

    let updated = shop
        .admin
        .mutate_ok(
            UPDATE,
            json!({ "id": spare, "input": { "code": " spare-2 ", "name": " Back room ", "priority": 7 } }),
        )
        .await?;
    assert_eq!(
        updated["warehouse"],
        json!({ "id": spare, "code": "SPARE-2", "name": "Back room", "priority": 7 })
    );
    let bad = shop
        .admin
        .mutate(
            UPDATE,
            json!({ "id": spare, "input": { "code": "-x", "name": " " } }),
        )
        .await?;
    assert_eq!(
        codes(&bad),
        [
            (r#"["input","code"]"#.to_owned(), "INVALID".to_owned()),
            (r#"["input","name"]"#.to_owned(), "INVALID".to_owned())
        ]
    );
    let taken = shop
        .admin
        .mutate(UPDATE, json!({ "id": spare, "input": { "code": "main" } }))
        .await?;
    assert_eq!(
        codes(&taken),
        [(r#"["input","code"]"#.to_owned(), "TAKEN".to_owned())]
    );
    let missing = json!({ "id": uuid::Uuid::now_v7().to_string(), "input": { "name": "x" } });
    let missing = shop.admin.mutate(UPDATE, missing).await?;
    assert_eq!(
        codes(&missing),
        [(r#"["id"]"#.to_owned(), "NOT_FOUND".to_owned())]
    );
    let kept = shop.admin.warehouses().await?;
    assert!(
        kept.iter().any(|w| w.code == "SPARE-2"),
        "refusals changed nothing"
    );
    Ok(())
}
e2e!(warehouses_are_updated);

async fn warehouses_in_use_are_not_deleted(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let item = shop.items[0].variant;
    let refusal = |payload: &Value| {
        assert_eq!(payload["deletedWarehouseId"], Value::Null, "{payload}");
        codes(payload)
    };

    // An empty stock level goes with its warehouse; units on hand keep it.
    let spare = shop.admin.create_warehouse("SPARE").await?;
    shop.admin.set_stock(item, spare, 3).await?;
    let held = shop
        .admin
        .mutate(DELETE, json!({ "id": spare.to_string() }))
        .await?;
    assert_eq!(
        refusal(&held),
        [(r#"["id"]"#.to_owned(), "INVALID".to_owned())]
    );
    shop.admin.set_stock(item, spare, 0).await?;
    let deleted = shop
        .admin
        .mutate_ok(DELETE, json!({ "id": spare.to_string() }))
        .await?;
    assert_eq!(deleted["deletedWarehouseId"], spare.to_string());
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::WarehouseId.eq(spare.0))
        .count(&shop.db)
        .await?;
    assert_eq!(levels, 0);

    // Allocated to an order, then shipped from it: history keeps it.
    let cart = shop
        .cart_of(&shop.guest, &[(0, 2)])
        .ready()
        .create()
        .await?;
    let placed = shop
        .guest
        .mutate_ok(
            "mutation($cart: ID!, $key: String!) { checkoutComplete(cartId: $cart, idempotencyKey: $key) { order { id } userErrors { field code message } } }",
            json!({ "cart": cart.to_string(), "key": uuid::Uuid::new_v4().to_string() }),
        )
        .await?;
    let order = OrderId::of(&placed["order"]["id"]);
    let main = shop.warehouse.to_string();
    let allocated = shop.admin.mutate(DELETE, json!({ "id": main })).await?;
    assert_eq!(refusal(&allocated).len(), 1);
    shop.admin
        .order_action(OrderAction::MarkPaid, order)
        .await?;
    shop.admin.order_action(OrderAction::Fulfill, order).await?;
    shop.admin.set_stock(item, shop.warehouse, 0).await?;
    let shipped = shop.admin.mutate(DELETE, json!({ "id": main })).await?;
    assert_eq!(refusal(&shipped).len(), 1);
    assert!(
        shipped["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("shipments"),
        "{shipped}"
    );
    assert_eq!(shop.admin.warehouses().await?.len(), 1, "still there");
    Ok(())
}
e2e!(warehouses_in_use_are_not_deleted);
