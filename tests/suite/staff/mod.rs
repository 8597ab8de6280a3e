//! Staff: the configured administrator, fields only staff may see, and (issue 18) roles,
//! invitations, deactivation and staff's view of customers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod customers;
mod deactivation;
mod invitations;
mod roles;

use e2e::{ADMIN_EMAIL, Backend, CUSTOMER_PASSWORD, TestServer, e2e};
use entities::enums::StaffStatus;
use entities::{customer, staff_member, staff_member_role};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

const ROLE_CREATE: &str = "mutation($name: String!, $permissions: [Permission!]!) { roleCreate(name: $name, permissions: $permissions) { role { id name permissions memberCount } userErrors { field code message } } }";

/// `roleCreate` as `token`: the payload.
async fn create_role(
    server: &TestServer,
    token: &str,
    name: &str,
    permissions: &[&str],
) -> anyhow::Result<Value> {
    let created = server
        .graphql_as(
            Some(token),
            ROLE_CREATE,
            json!({ "name": name, "permissions": permissions }),
        )
        .await?;
    Ok(created.data()["roleCreate"].clone())
}

/// The customer `email` (registered if new) made an ACTIVE staff member holding a new role
/// with `permissions` (created by the administrator through the API; the membership is
/// written directly, as the invitation test covers the mailed way). Returns the member's
/// access token, account id and role id.
async fn staff_with(
    server: &TestServer,
    email: &str,
    permissions: &[&str],
) -> anyhow::Result<(String, String, String)> {
    let admin = server.admin_token().await?;
    let role = create_role(server, &admin, &format!("Role of {email}"), permissions).await?;
    assert_eq!(role["userErrors"], json!([]), "{role}");
    let role_id = role["role"]["id"].as_str().unwrap().to_owned();
    server.customer_token(email).await?;
    let db = &server.app.app.db;
    let account = customer::Entity::find()
        .filter(customer::Column::Email.eq(email))
        .one(db)
        .await?
        .unwrap();
    let now = chrono::Utc::now();
    staff_member::ActiveModel {
        customer_id: Set(account.id),
        status: Set(StaffStatus::Active),
        invited_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deactivated_at: Set(None),
    }
    .insert(db)
    .await?;
    staff_member_role::ActiveModel {
        customer_id: Set(account.id),
        role_id: Set(role_id.parse()?),
    }
    .insert(db)
    .await?;
    let token = server.sign_in(email, CUSTOMER_PASSWORD).await?;
    assert!(!token.is_empty(), "{email} signs in as staff");
    Ok((token, account.id.to_string(), role_id))
}

async fn configured_admin_has_every_permission(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin_token().await?;
    let me = server
        .graphql_as(
            Some(&admin),
            "{ me { email isStaff permissions } }",
            json!({}),
        )
        .await?;
    assert_eq!(me.data()["me"]["isStaff"], true);
    let permissions = me.data()["me"]["permissions"].as_array().unwrap().len();
    assert_eq!(permissions, 8, "{}", me.body);

    // The administrator is an ACTIVE member of the Administrator role, which holds everything.
    let members = server
        .graphql_as(
            Some(&admin),
            "{ staffMembers { nodes { email status roles { name permissions memberCount } permissions } } }",
            json!({}),
        )
        .await?;
    let nodes = members.data()["staffMembers"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1, "{}", members.body);
    assert_eq!(nodes[0]["email"], ADMIN_EMAIL);
    assert_eq!(nodes[0]["status"], "ACTIVE");
    assert_eq!(nodes[0]["roles"][0]["name"], "Administrator");
    assert_eq!(nodes[0]["roles"][0]["memberCount"], 1);
    assert_eq!(
        nodes[0]["roles"][0]["permissions"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(nodes[0]["permissions"], nodes[0]["roles"][0]["permissions"]);

    // Running the bootstrap again (a restart with a new ADMIN_PASSWORD) resets the password.
    schema::customers::staff::admin::ensure_admin(
        &server.app.app.writer(),
        ADMIN_EMAIL,
        "another long passphrase",
    )
    .await?;
    assert!(
        server.admin_token().await?.is_empty(),
        "the old password no longer works"
    );
    assert!(
        !server
            .sign_in(ADMIN_EMAIL, "another long passphrase")
            .await?
            .is_empty()
    );
    server.stop().await
}
e2e!(configured_admin_has_every_permission);

async fn admin_configuration_is_checked_at_start(backend: Backend) -> anyhow::Result<()> {
    let weak = TestServer::start(backend.clone(), 0, |c| {
        c.auth.admin_email = Some(ADMIN_EMAIL.into());
        c.auth.admin_password = Some("short".into());
    })
    .await;
    assert!(
        weak.err()
            .is_some_and(|e| format!("{e:#}").contains("admin password"))
    );
    let half = TestServer::start(backend, 0, |c| {
        c.auth.admin_email = Some(ADMIN_EMAIL.into())
    })
    .await;
    assert!(
        half.err()
            .is_some_and(|e| format!("{e:#}").contains("ADMIN_PASSWORD"))
    );
    Ok(())
}
e2e!(admin_configuration_is_checked_at_start);

async fn stock_figures_are_for_staff_only(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 5).await?;
    let admin = server.admin_token().await?;
    let shopper = server.customer_token("shopper@example.com").await?;
    let stock = "{ products(first: 1) { nodes { variants { sku quantityAvailable stockLevels { onHand allocated available warehouse { code } } } } } }";

    let anonymous = server.graphql_as(None, stock, json!({})).await?;
    assert_eq!(anonymous.error_code(), Some("UNAUTHENTICATED"));
    let customer = server.graphql_as(Some(&shopper), stock, json!({})).await?;
    assert_eq!(customer.error_code(), Some("FORBIDDEN"));
    assert!(customer.body.to_string().contains("MANAGE_INVENTORY"));

    let staff = server.graphql_as(Some(&admin), stock, json!({})).await?;
    for variant in staff.data()["products"]["nodes"][0]["variants"]
        .as_array()
        .unwrap()
    {
        let levels = variant["stockLevels"].as_array().unwrap();
        assert_eq!(levels.len(), 2, "one level per warehouse");
        let total: i64 = levels
            .iter()
            .map(|l| l["available"].as_i64().unwrap())
            .sum();
        assert_eq!(total, variant["quantityAvailable"].as_i64().unwrap());
        for level in levels {
            assert_eq!(
                level["available"].as_i64(),
                Some(level["onHand"].as_i64().unwrap() - level["allocated"].as_i64().unwrap())
            );
        }
    }

    let warehouses = "{ warehouses { code name priority } }";
    assert_eq!(
        server
            .graphql_as(Some(&shopper), warehouses, json!({}))
            .await?
            .error_code(),
        Some("FORBIDDEN")
    );
    let listed = server
        .graphql_as(Some(&admin), warehouses, json!({}))
        .await?;
    let codes: Vec<&str> = listed.data()["warehouses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["US-WEST", "EU-CENTRAL"], "in allocation order");
    server.stop().await
}
e2e!(stock_figures_are_for_staff_only);

async fn staff_see_unpublished_products(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 40).await?;
    let admin = server.admin_token().await?;
    let shopper = server.customer_token("shopper@example.com").await?;
    let count = "{ products(first: 1) { totalCount } }";
    let public = server.graphql_as(None, count, json!({})).await?.data()["products"]["totalCount"]
        .as_u64()
        .unwrap();
    let customer = server
        .graphql_as(Some(&shopper), count, json!({}))
        .await?
        .data()["products"]["totalCount"]
        .as_u64()
        .unwrap();
    let staff = server
        .graphql_as(Some(&admin), count, json!({}))
        .await?
        .data()["products"]["totalCount"]
        .as_u64()
        .unwrap();
    assert_eq!(public, customer, "customers see what the public sees");
    assert_eq!(staff, 40, "staff see drafts and archived products too");
    assert!(public < staff);
    server.stop().await
}
e2e!(staff_see_unpublished_products);
