//! Staff: the configured administrator, and fields only staff may see.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{ADMIN_EMAIL, Backend, TestServer, e2e};
use serde_json::json;

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
