//! Staff changes to the category tree and warehouses: permissions, validation, moves that
//! rewrite materialised paths, deletes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Ten products per seeded leaf category.
const PRODUCTS: usize = 70;

const CREATE: &str = "mutation($input: CategoryCreateInput!) { categoryCreate(input: $input) { category { id slug name description parent { slug } } userErrors { field code message } } }";
const UPDATE: &str = "mutation($id: ID!, $input: CategoryUpdateInput!) { categoryUpdate(id: $id, input: $input) { category { id slug name description parent { slug } } userErrors { field code message } } }";
const DELETE: &str = "mutation($id: ID!) { categoryDelete(id: $id) { deletedCategoryId userErrors { field code message } } }";
const WAREHOUSE_CREATE: &str = "mutation($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { warehouse { id code name priority } userErrors { field code message } } }";

/// The staff client of one test.
struct Admin<'a> {
    server: &'a TestServer,
    token: String,
}

impl Admin<'_> {
    async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let r = self
            .server
            .graphql_as(Some(&self.token), query, variables)
            .await?;
        Ok(r.data().clone())
    }

    async fn category_id(&self, slug: &str) -> anyhow::Result<String> {
        let d = self
            .data(
                "query($s: String!) { category(slug: $s) { id } }",
                json!({ "s": slug }),
            )
            .await?;
        Ok(d["category"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no category {slug}"))
            .to_owned())
    }

    /// Products of the categories (descendants included), as staff see them (all statuses).
    async fn product_count(&self, slug: &str) -> anyhow::Result<u64> {
        let id = self.category_id(slug).await?;
        let d = self
            .data(
                "query($ids: [ID!]) { products(first: 1, filter: { categoryIds: $ids }) { totalCount } }",
                json!({ "ids": [id] }),
            )
            .await?;
        Ok(d["products"]["totalCount"].as_u64().unwrap())
    }

    async fn children(&self, slug: &str) -> anyhow::Result<Vec<String>> {
        let d = self
            .data(
                "query($s: String!) { category(slug: $s) { children { slug } } }",
                json!({ "s": slug }),
            )
            .await?;
        Ok(d["category"]["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap().to_owned())
            .collect())
    }

    async fn parent(&self, slug: &str) -> anyhow::Result<Value> {
        let d = self
            .data(
                "query($s: String!) { category(slug: $s) { parent { slug } } }",
                json!({ "s": slug }),
            )
            .await?;
        Ok(d["category"]["parent"]["slug"].clone())
    }

    async fn category_total(&self) -> anyhow::Result<u64> {
        let d = self
            .data("{ categories(first: 1) { totalCount } }", json!({}))
            .await?;
        Ok(d["categories"]["totalCount"].as_u64().unwrap())
    }

    async fn warehouse_codes(&self) -> anyhow::Result<Vec<(String, i64)>> {
        let d = self
            .data("{ warehouses { code priority } }", json!({}))
            .await?;
        Ok(d["warehouses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["code"].as_str().unwrap().to_owned(),
                    w["priority"].as_i64().unwrap(),
                )
            })
            .collect())
    }
}

async fn admin(server: &TestServer) -> anyhow::Result<Admin<'_>> {
    Ok(Admin {
        server,
        token: server.admin_token().await?,
    })
}

/// The codes of a payload's user errors and the field of the first.
fn user_errors(payload: &Value) -> (Vec<String>, Value) {
    let errors = payload["userErrors"].as_array().unwrap();
    (
        errors
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_owned())
            .collect(),
        errors
            .first()
            .map(|e| e["field"].clone())
            .unwrap_or(Value::Null),
    )
}

/// Every category's `path` is its parent's path plus its own id and `/`.
async fn assert_paths_consistent(server: &TestServer) -> anyhow::Result<()> {
    let rows = entities::category::Entity::find()
        .all(&server.app.app.db)
        .await?;
    let by_id: HashMap<_, _> = rows.iter().map(|c| (c.id, c)).collect();
    for c in &rows {
        let parent_path = c
            .parent_id
            .map_or(String::new(), |p| by_id[&p].path.clone());
        assert_eq!(
            c.path,
            format!("{parent_path}{}/", c.id),
            "path of {}",
            c.slug
        );
    }
    Ok(())
}

async fn mutations_need_permissions(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let shopper = server.customer_token("shopper@example.com").await?;
    let apparel = admin.category_id("apparel").await?;
    let footwear = admin.category_id("footwear").await?;
    let boots = admin.category_id("boots").await?;
    let categories_before = admin.category_total().await?;
    let warehouses_before = admin.warehouse_codes().await?;

    let attempts = [
        (
            CREATE,
            json!({ "input": { "name": "Outdoor", "parentId": apparel } }),
            "MANAGE_PRODUCTS",
        ),
        (
            UPDATE,
            json!({ "id": boots, "input": { "name": "Stolen", "parentId": apparel } }),
            "MANAGE_PRODUCTS",
        ),
        (DELETE, json!({ "id": boots }), "MANAGE_PRODUCTS"),
        (
            WAREHOUSE_CREATE,
            json!({ "input": { "code": "NOPE", "name": "Nope" } }),
            "MANAGE_INVENTORY",
        ),
    ];
    for (mutation, variables, permission) in attempts {
        let anonymous = server.graphql_as(None, mutation, variables.clone()).await?;
        assert_eq!(
            anonymous.error_code(),
            Some("UNAUTHENTICATED"),
            "{}",
            anonymous.body
        );
        let customer = server
            .graphql_as(Some(&shopper), mutation, variables)
            .await?;
        assert_eq!(
            customer.error_code(),
            Some("FORBIDDEN"),
            "{}",
            customer.body
        );
        assert!(
            customer.error_message().contains(permission),
            "{}",
            customer.body
        );
    }

    assert_eq!(admin.category_total().await?, categories_before);
    assert_eq!(admin.warehouse_codes().await?, warehouses_before);
    assert_eq!(admin.category_id("boots").await?, boots);
    assert_eq!(admin.parent("boots").await?, "footwear");
    assert_eq!(admin.category_id("footwear").await?, footwear);
    server.stop().await
}
e2e!(mutations_need_permissions);

async fn categories_are_created_and_moved(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;

    // A root, a child and a grandchild; slugs default to the slugified name.
    let root = admin
        .data(
            CREATE,
            json!({ "input": { "name": "  Outdoor Gear ", "description": "Tents and more" } }),
        )
        .await?["categoryCreate"]
        .clone();
    assert_eq!(user_errors(&root).0, Vec::<String>::new(), "{root}");
    assert_eq!(root["category"]["slug"], "outdoor-gear");
    assert_eq!(root["category"]["name"], "Outdoor Gear");
    assert_eq!(root["category"]["parent"], Value::Null);
    let root_id = root["category"]["id"].as_str().unwrap().to_owned();
    let child = admin
        .data(
            CREATE,
            json!({ "input": { "name": "Tents & Shelters", "parentId": root_id } }),
        )
        .await?["categoryCreate"]
        .clone();
    assert_eq!(child["category"]["slug"], "tents-shelters", "{child}");
    assert_eq!(child["category"]["parent"]["slug"], "outdoor-gear");
    let child_id = child["category"]["id"].as_str().unwrap().to_owned();
    let grandchild = admin
        .data(
            CREATE,
            json!({ "input": { "name": "Ultralight", "slug": "ultralight-tents", "parentId": child_id, "position": 7 } }),
        )
        .await?["categoryCreate"]
        .clone();
    assert_eq!(
        grandchild["category"]["slug"], "ultralight-tents",
        "{grandchild}"
    );
    assert_eq!(admin.children("outdoor-gear").await?, ["tents-shelters"]);
    assert_eq!(
        admin.children("tents-shelters").await?,
        ["ultralight-tents"]
    );
    assert_paths_consistent(&server).await?;

    // Moving a subtree: the root goes under `home`, its descendants follow.
    let moved = admin
        .data(
            UPDATE,
            json!({ "id": root_id, "input": { "parentId": admin.category_id("home").await? } }),
        )
        .await?["categoryUpdate"]
        .clone();
    assert_eq!(user_errors(&moved).0, Vec::<String>::new(), "{moved}");
    assert_eq!(moved["category"]["parent"]["slug"], "home");
    assert_eq!(
        moved["category"]["description"], "Tents and more",
        "fields not given are kept"
    );
    assert_eq!(
        admin.children("home").await?,
        ["kitchen", "decor", "outdoor-gear"]
    );
    assert_eq!(
        admin.children("tents-shelters").await?,
        ["ultralight-tents"]
    );
    assert_paths_consistent(&server).await?;

    // Moving a leaf with products: the category filter (descendants included) follows.
    let apparel = admin.product_count("apparel").await?;
    let footwear = admin.product_count("footwear").await?;
    let boots = admin.product_count("boots").await?;
    assert!(boots > 0);
    let boots_id = admin.category_id("boots").await?;
    let moved = admin
        .data(
            UPDATE,
            json!({ "id": boots_id, "input": { "parentId": admin.category_id("apparel").await?, "name": "Work Boots" } }),
        )
        .await?["categoryUpdate"]
        .clone();
    assert_eq!(user_errors(&moved).0, Vec::<String>::new(), "{moved}");
    assert_eq!(moved["category"]["name"], "Work Boots");
    assert_eq!(admin.product_count("apparel").await?, apparel + boots);
    assert_eq!(admin.product_count("footwear").await?, footwear - boots);
    assert_eq!(admin.children("footwear").await?, ["sneakers"]);
    assert!(admin.children("apparel").await?.contains(&"boots".into()));
    assert_paths_consistent(&server).await?;

    // `parentId: null` makes it top-level; omitting parentId leaves it where it is.
    let top = admin
        .data(
            UPDATE,
            json!({ "id": boots_id, "input": { "parentId": null } }),
        )
        .await?["categoryUpdate"]
        .clone();
    assert_eq!(top["category"]["parent"], Value::Null, "{top}");
    assert_eq!(admin.product_count("apparel").await?, apparel);
    assert_eq!(admin.product_count("boots").await?, boots);
    let renamed = admin
        .data(
            UPDATE,
            json!({ "id": boots_id, "input": { "slug": "work-boots", "description": null } }),
        )
        .await?["categoryUpdate"]
        .clone();
    assert_eq!(renamed["category"]["slug"], "work-boots", "{renamed}");
    assert_eq!(renamed["category"]["description"], Value::Null);
    assert_eq!(renamed["category"]["parent"], Value::Null);
    assert_paths_consistent(&server).await?;
    server.stop().await
}
e2e!(categories_are_created_and_moved);

async fn bad_category_input_changes_nothing(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let apparel_id = admin.category_id("apparel").await?;
    let tshirts_id = admin.category_id("t-shirts").await?;
    let apparel = admin.product_count("apparel").await?;
    let total = admin.category_total().await?;

    // Cycles: under a descendant, or under itself.
    for parent in [&tshirts_id, &apparel_id] {
        let refused = admin
            .data(
                UPDATE,
                json!({ "id": apparel_id, "input": { "parentId": parent, "name": "Renamed" } }),
            )
            .await?["categoryUpdate"]
            .clone();
        assert_eq!(refused["category"], Value::Null, "{refused}");
        assert_eq!(
            user_errors(&refused),
            (vec!["INVALID".into()], json!(["input", "parentId"]))
        );
    }
    assert_eq!(admin.parent("apparel").await?, Value::Null);
    assert_eq!(admin.parent("t-shirts").await?, "apparel");
    assert_eq!(admin.product_count("apparel").await?, apparel);
    let name = admin
        .data("{ category(slug: \"apparel\") { name } }", json!({}))
        .await?;
    assert_eq!(name["category"]["name"], "Apparel");
    assert_paths_consistent(&server).await?;

    let refusals = [
        (
            CREATE,
            json!({ "input": { "name": "Boots again", "slug": "boots" } }),
            "TAKEN",
            json!(["input", "slug"]),
        ),
        (
            CREATE,
            json!({ "input": { "name": "Boots" } }),
            "TAKEN",
            json!(["input", "slug"]),
        ),
        (
            CREATE,
            json!({ "input": { "name": "Bad", "slug": "Bad Slug" } }),
            "INVALID",
            json!(["input", "slug"]),
        ),
        (
            CREATE,
            json!({ "input": { "name": "Bad", "slug": "bad--slug" } }),
            "INVALID",
            json!(["input", "slug"]),
        ),
        (
            CREATE,
            json!({ "input": { "name": "Long", "slug": "a".repeat(129) } }),
            "INVALID",
            json!(["input", "slug"]),
        ),
        (
            CREATE,
            json!({ "input": { "name": "   " , "slug": "blank" } }),
            "INVALID",
            json!(["input", "name"]),
        ),
        (
            CREATE,
            json!({ "input": { "name": "x".repeat(256) } }),
            "INVALID",
            json!(["input", "name"]),
        ),
        (
            CREATE,
            json!({ "input": { "name": "Orphan", "parentId": "0192a8f0-0000-7000-8000-000000000000" } }),
            "NOT_FOUND",
            json!(["input", "parentId"]),
        ),
        (
            UPDATE,
            json!({ "id": tshirts_id, "input": { "slug": "hoodies" } }),
            "TAKEN",
            json!(["input", "slug"]),
        ),
        (
            UPDATE,
            json!({ "id": tshirts_id, "input": { "slug": "-tees" } }),
            "INVALID",
            json!(["input", "slug"]),
        ),
        (
            UPDATE,
            json!({ "id": tshirts_id, "input": { "name": "" } }),
            "INVALID",
            json!(["input", "name"]),
        ),
        (
            UPDATE,
            json!({ "id": tshirts_id, "input": { "parentId": "0192a8f0-0000-7000-8000-000000000000" } }),
            "NOT_FOUND",
            json!(["input", "parentId"]),
        ),
        (
            UPDATE,
            json!({ "id": "0192a8f0-0000-7000-8000-000000000000", "input": { "name": "Ghost" } }),
            "NOT_FOUND",
            json!(["id"]),
        ),
    ];
    for (mutation, variables, code, field) in refusals {
        let r = admin.data(mutation, variables.clone()).await?;
        let payload = r.as_object().unwrap().values().next().unwrap();
        assert_eq!(payload["category"], Value::Null, "{variables}: {payload}");
        let (codes, first_field) = user_errors(payload);
        assert_eq!(codes, [code], "{variables}: {payload}");
        assert_eq!(first_field, field, "{variables}: {payload}");
    }

    // Malformed ids are GraphQL errors, not user errors.
    for (mutation, variables) in [
        (UPDATE, json!({ "id": "nope", "input": { "name": "X" } })),
        (
            CREATE,
            json!({ "input": { "name": "X", "parentId": "nope" } }),
        ),
        (DELETE, json!({ "id": "nope" })),
    ] {
        let r = server
            .graphql_as(Some(&admin.token), mutation, variables)
            .await?;
        assert_eq!(r.error_code(), Some("BAD_USER_INPUT"), "{}", r.body);
    }

    assert_eq!(admin.category_total().await?, total);
    let tshirts = admin
        .data(
            "{ category(slug: \"t-shirts\") { name slug parent { slug } } }",
            json!({}),
        )
        .await?;
    assert_eq!(
        tshirts["category"],
        json!({ "name": "T-Shirts", "slug": "t-shirts", "parent": { "slug": "apparel" } })
    );
    assert_paths_consistent(&server).await?;
    server.stop().await
}
e2e!(bad_category_input_changes_nothing);

async fn categories_are_deleted(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;
    let total = admin.category_total().await?;

    let apparel = admin.category_id("apparel").await?;
    let refused = admin.data(DELETE, json!({ "id": apparel })).await?["categoryDelete"].clone();
    assert_eq!(refused["deletedCategoryId"], Value::Null);
    assert_eq!(user_errors(&refused).0, ["INVALID"], "{refused}");
    assert_eq!(admin.children("apparel").await?.len(), 3);
    assert_eq!(admin.category_total().await?, total);

    let boots = admin.category_id("boots").await?;
    let footwear = admin.product_count("footwear").await?;
    let boots_count = admin.product_count("boots").await?;
    let products = admin
        .data(
            "{ category(slug: \"boots\") { products(first: 50) { nodes { id } } } }",
            json!({}),
        )
        .await?;
    let product_ids: Vec<String> = products["category"]["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(product_ids.len() as u64, boots_count);

    let deleted = admin.data(DELETE, json!({ "id": boots })).await?["categoryDelete"].clone();
    assert_eq!(deleted["deletedCategoryId"], boots.as_str(), "{deleted}");
    assert_eq!(user_errors(&deleted).0, Vec::<String>::new());
    assert_eq!(admin.category_total().await?, total - 1);
    assert_eq!(admin.children("footwear").await?, ["sneakers"]);
    assert_eq!(
        admin.product_count("footwear").await?,
        footwear - boots_count
    );
    let gone = admin
        .data("{ category(slug: \"boots\") { id } }", json!({}))
        .await?;
    assert_eq!(gone["category"], Value::Null);
    for id in product_ids {
        let p = admin
            .data(
                "query($id: ID!) { product(id: $id) { id category { slug } } }",
                json!({ "id": id }),
            )
            .await?;
        assert_eq!(p["product"]["id"], id.as_str(), "the product survives");
        assert_eq!(p["product"]["category"], Value::Null);
    }

    let again = admin.data(DELETE, json!({ "id": boots })).await?["categoryDelete"].clone();
    assert_eq!(
        user_errors(&again),
        (vec!["NOT_FOUND".into()], json!(["id"]))
    );
    // A parent whose last child went can go too.
    let sneakers_deleted = admin
        .data(
            DELETE,
            json!({ "id": admin.category_id("sneakers").await? }),
        )
        .await?;
    assert_eq!(
        user_errors(&sneakers_deleted["categoryDelete"]).0,
        Vec::<String>::new()
    );
    let footwear_deleted = admin
        .data(
            DELETE,
            json!({ "id": admin.category_id("footwear").await? }),
        )
        .await?;
    assert_eq!(
        user_errors(&footwear_deleted["categoryDelete"]).0,
        Vec::<String>::new()
    );
    assert_eq!(admin.category_total().await?, total - 3);
    assert_paths_consistent(&server).await?;
    server.stop().await
}
e2e!(categories_are_deleted);

async fn warehouses_are_created(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let admin = admin(&server).await?;

    let created = admin
        .data(
            WAREHOUSE_CREATE,
            json!({ "input": { "code": " eu-north_1 ", "name": " Stockholm depot " } }),
        )
        .await?["warehouseCreate"]
        .clone();
    assert_eq!(user_errors(&created).0, Vec::<String>::new(), "{created}");
    assert_eq!(created["warehouse"]["code"], "EU-NORTH_1");
    assert_eq!(created["warehouse"]["name"], "Stockholm depot");
    assert_eq!(created["warehouse"]["priority"], 3, "after the seeded two");
    let explicit = admin
        .data(
            WAREHOUSE_CREATE,
            json!({ "input": { "code": "FIRST", "name": "First choice", "priority": 0 } }),
        )
        .await?["warehouseCreate"]
        .clone();
    assert_eq!(explicit["warehouse"]["priority"], 0, "{explicit}");
    let expected = vec![
        ("FIRST".to_owned(), 0),
        ("US-WEST".to_owned(), 1),
        ("EU-CENTRAL".to_owned(), 2),
        ("EU-NORTH_1".to_owned(), 3),
    ];
    assert_eq!(admin.warehouse_codes().await?, expected);

    let refusals = [
        (
            json!({ "code": "us-west", "name": "Again" }),
            "TAKEN",
            "code",
        ),
        (json!({ "code": "-bad", "name": "Bad" }), "INVALID", "code"),
        (json!({ "code": "A B", "name": "Bad" }), "INVALID", "code"),
        (
            json!({ "code": "X".repeat(33), "name": "Long" }),
            "INVALID",
            "code",
        ),
        (json!({ "code": "FINE", "name": "  " }), "INVALID", "name"),
    ];
    for (input, code, field) in refusals {
        let r = admin
            .data(WAREHOUSE_CREATE, json!({ "input": input.clone() }))
            .await?["warehouseCreate"]
            .clone();
        assert_eq!(r["warehouse"], Value::Null, "{input}: {r}");
        assert_eq!(
            user_errors(&r),
            (vec![code.to_owned()], json!(["input", field])),
            "{input}: {r}"
        );
    }
    assert_eq!(admin.warehouse_codes().await?, expected);
    server.stop().await
}
e2e!(warehouses_are_created);
