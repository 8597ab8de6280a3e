//! Data rights: the export holds everything of the customer and nothing of anyone else;
//! deletion leaves no trace of the person in any table, keeps their orders for the books, and
//! frees the email.

use super::{address, finish, open_shop, place_order};
use e2e::{Backend, e2e};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde_json::json;

const EXPORT: &str = "mutation { customerDataExport { data userErrors { code } } }";
const DELETE: &str = "mutation($p: String!) { customerDelete(password: $p) { deletedCustomerId userErrors { field code } } }";
const CREATE_ADDRESS: &str = "mutation($a: MailingAddressInput!) { customerAddressCreate(address: $a) { userErrors { code } } }";
const UPDATE_PROFILE: &str = "mutation($input: CustomerUpdateInput!) { customerUpdate(input: $input) { userErrors { code } } }";
const STAFF_ORDERS: &str =
    "{ orders(first: 50) { totalCount nodes { id email total { amount } } } }";

async fn the_export_holds_every_address_and_order_of_the_customer_only(
    backend: Backend,
) -> anyhow::Result<()> {
    let (shop, redis) = open_shop(backend, |_| {}).await?;
    let ann = shop.server.customer("ann@example.com").await?;
    let bob = shop.server.customer("bob@example.com").await?;
    for (who, tag) in [(&ann, "Annhome"), (&ann, "Annwork"), (&bob, "Bobhome")] {
        who.graphql(CREATE_ADDRESS, json!({ "a": address(tag) }))
            .await?;
    }
    let mut ann_orders = Vec::new();
    for _ in 0..2 {
        ann_orders.push(place_order(&shop, &ann, "ann@example.com", address("Annship")).await?);
    }
    let bob_order = place_order(&shop, &bob, "bob@example.com", address("Bobship")).await?;

    let exported = ann.graphql(EXPORT, json!({})).await?;
    let data = &exported.data()["customerDataExport"]["data"];
    let text = serde_json::to_string(data)?;
    assert_eq!(data["profile"]["email"], "ann@example.com");
    assert!(data["generatedAt"].is_string());
    let lines: Vec<_> = data["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"]["address1"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(lines, vec!["Annhome Road 1", "Annwork Road 1"]);
    let orders: Vec<_> = data["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order"]["id"].clone())
        .collect();
    assert_eq!(
        orders,
        vec![ann_orders[0]["id"].clone(), ann_orders[1]["id"].clone()]
    );
    assert_eq!(data["orders"][0]["lines"].as_array().unwrap().len(), 1);
    assert!(!data["orders"][0]["payments"].as_array().unwrap().is_empty());
    assert!(!data["carts"].as_array().unwrap().is_empty(), "{text}");
    assert!(!data["sessions"].as_array().unwrap().is_empty());
    assert!(
        !text.contains("token_hash") && !text.contains("password"),
        "{text}"
    );
    for other in [
        "bob@example.com",
        "Bobhome",
        "Bobship",
        bob_order["id"].as_str().unwrap(),
    ] {
        assert!(!text.contains(other), "{other} leaked into Ann's export");
    }
    // Nobody exports anonymously.
    let anonymous = shop.guest.graphql(EXPORT, json!({})).await?;
    assert_eq!(
        anonymous.body["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    finish(shop, redis).await
}
e2e!(the_export_holds_every_address_and_order_of_the_customer_only);

/// Every (table, column) whose text (JSON cast to text) contains `needle`, case-insensitive,
/// over every table the database catalog lists.
async fn holders(db: &DatabaseConnection, needle: &str) -> anyhow::Result<Vec<String>> {
    let backend = db.get_database_backend();
    let columns_sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() \
             AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')"
        }
        _ => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
    };
    let columns = db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await?;
    let mut found = Vec::new();
    for row in columns {
        let table: String = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        let sql = match backend {
            DatabaseBackend::Postgres => format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" WHERE strpos(lower(\"{column}\"::text), $1) > 0"
            ),
            _ => format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" WHERE instr(lower(CAST(\"{column}\" AS TEXT)), ?) > 0"
            ),
        };
        let counted = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [needle.to_lowercase().into()],
            ))
            .await?
            .expect("a count");
        let n: i64 = counted.try_get("", "n")?;
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    Ok(found)
}

async fn deleting_an_account_erases_the_person_everywhere_and_keeps_the_books(
    backend: Backend,
) -> anyhow::Result<()> {
    let (shop, redis) = open_shop(backend, |c| {
        // The webhook is never reached; its deliveries only have to be stored.
        c.webhooks.webhook_allow_private_networks = true;
    })
    .await?;
    // Webhook deliveries store the bodies they send: the person's email and names are in them.
    shop.admin
        .mutate_ok(
            "mutation($input: WebhookCreateInput!) { webhookCreate(input: $input) { webhook { id } userErrors { field message } } }",
            json!({ "input": { "url": "http://127.0.0.1:9/hooks",
                               "topics": ["CUSTOMER_CREATED", "ORDER_CREATED"] } }),
        )
        .await?;
    let email = "quillon.vex@example.com";
    let register = "mutation { customerRegister(input: { email: \"quillon.vex@example.com\", password: \"correct horse battery\", firstName: \"Quillon\", lastName: \"Vexmoor\" }) { userErrors { code } } }";
    shop.guest.graphql(register, json!({})).await?;
    let quillon = shop.server.customer(email).await?;
    quillon
        .graphql(
            UPDATE_PROFILE,
            json!({ "input": { "phone": "+1 (555) 987-6543" } }),
        )
        .await?;
    quillon
        .graphql(CREATE_ADDRESS, json!({ "a": address("Zorbloom") }))
        .await?;
    let other = shop.server.customer("other@example.com").await?;
    place_order(&shop, &other, "other@example.com", address("Keepme")).await?;
    let order = place_order(&shop, &quillon, email, address("Xandrel")).await?;
    // A guest order and a guest cart with the same email are the person's too.
    let guest_order = place_order(&shop, &shop.guest, email, address("Yosswick")).await?;
    shop.cart_of(&shop.guest, &[(1, 1)])
        .buyer(json!({ "email": email, "shippingAddress": address("Wumbrel") }))
        .create()
        .await?;
    let admin = &shop.admin;
    let before = admin.graphql(STAFF_ORDERS, json!({})).await?.data()["orders"].clone();

    let strings = [
        email, "Quillon", "Vexmoor", "987-6543", "Zorbloom", "Xandrel", "Yosswick", "Wumbrel",
    ];
    for needle in strings {
        assert!(
            !holders(&shop.db, needle).await?.is_empty(),
            "{needle} was stored"
        );
    }
    // The relay queues deliveries after the commits it publishes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !holders(&shop.db, "Vexmoor")
        .await?
        .iter()
        .any(|table| table.starts_with("webhook_deliveries"))
    {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the webhook deliveries were queued with the person's name"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A wrong password changes nothing.
    let refused = quillon
        .graphql(DELETE, json!({ "p": "not my password" }))
        .await?;
    assert_eq!(
        refused.data()["customerDelete"]["userErrors"],
        json!([{ "field": ["password"], "code": "INVALID_CREDENTIALS" }])
    );
    assert!(!holders(&shop.db, "Zorbloom").await?.is_empty());

    let deleted = quillon
        .graphql(DELETE, json!({ "p": e2e::CUSTOMER_PASSWORD }))
        .await?;
    assert_eq!(deleted.data()["customerDelete"]["userErrors"], json!([]));
    for needle in strings {
        let left = holders(&shop.db, needle).await?;
        assert!(left.is_empty(), "{needle} is still in {left:?}");
    }
    assert!(
        !holders(&shop.db, "Keepme").await?.is_empty(),
        "others keep theirs"
    );

    // The orders are still there, and the books add up as before.
    let after = admin.graphql(STAFF_ORDERS, json!({})).await?.data()["orders"].clone();
    assert_eq!(after["totalCount"], before["totalCount"]);
    let totals = |orders: &serde_json::Value| {
        let mut all: Vec<(String, String)> = orders["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["id"].to_string(), o["total"]["amount"].to_string()))
            .collect();
        all.sort();
        all
    };
    assert_eq!(totals(&after), totals(&before));
    for id in [&order["id"], &guest_order["id"]] {
        let kept = after["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| &o["id"] == id)
            .expect("the order is kept");
        assert_eq!(kept["email"], "erased@invalid");
    }

    // Signed out everywhere; the email is free again.
    assert_eq!(
        quillon.graphql("{ me { email } }", json!({})).await?.status,
        401
    );
    let again = shop.guest.graphql(register, json!({})).await?;
    assert_eq!(again.data()["customerRegister"]["userErrors"], json!([]));
    finish(shop, redis).await
}
e2e!(deleting_an_account_erases_the_person_everywhere_and_keeps_the_books);

async fn staff_accounts_cannot_delete_themselves(backend: Backend) -> anyhow::Result<()> {
    let (shop, redis) = open_shop(backend, |_| {}).await?;
    let refused = shop
        .admin
        .graphql(DELETE, json!({ "p": e2e::ADMIN_PASSWORD }))
        .await?;
    assert_eq!(
        refused.data()["customerDelete"]["userErrors"][0]["code"],
        "NOT_ALLOWED"
    );
    assert_eq!(
        shop.admin
            .graphql("{ me { email } }", json!({}))
            .await?
            .status,
        200
    );
    finish(shop, redis).await
}
e2e!(staff_accounts_cannot_delete_themselves);
