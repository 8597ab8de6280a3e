//! The rules of staff roles: nobody grants what they lack (FORBIDDEN, nothing stored), and
//! the last active holder of MANAGE_STAFF cannot lose it (LAST_STAFF_MANAGER, nothing
//! changed), even when two managers remove each other at the same moment.

use super::{create_role, staff_with};
use e2e::{ADMIN_EMAIL, Backend, TestServer, e2e};
use serde_json::{Value, json};

const ROLES: &str = "{ roles { id name permissions memberCount } }";
const STAFF_UPDATE: &str = "mutation($id: ID!, $roles: [ID!]) { staffUpdate(id: $id, input: { roleIds: $roles }) { staffMember { id permissions } userErrors { field code } } }";
const DEACTIVATE: &str = "mutation($id: ID!) { staffDeactivate(id: $id) { staffMember { status } userErrors { field code } } }";
const ROLE_UPDATE: &str = "mutation($id: ID!, $name: String!, $permissions: [Permission!]!) { roleUpdate(id: $id, name: $name, permissions: $permissions) { role { permissions } userErrors { field code } } }";
const ROLE_DELETE: &str =
    "mutation($id: ID!) { roleDelete(id: $id) { deletedRoleId userErrors { field code } } }";
const INVITE: &str = "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { staffMember { id } userErrors { field code } } }";

async fn roles(server: &TestServer, token: &str) -> anyhow::Result<Vec<Value>> {
    let listed = server.graphql_as(Some(token), ROLES, json!({})).await?;
    Ok(listed.data()["roles"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

/// The account id and Administrator role id of the configured administrator.
async fn administrator(server: &TestServer, admin: &str) -> anyhow::Result<(String, String)> {
    let me = server
        .graphql_as(Some(admin), "{ me { id } }", json!({}))
        .await?;
    let role = roles(server, admin)
        .await?
        .into_iter()
        .find(|r| r["name"] == "Administrator")
        .unwrap();
    Ok((
        me.data()["me"]["id"].as_str().unwrap().to_owned(),
        role["id"].as_str().unwrap().to_owned(),
    ))
}

async fn nobody_grants_what_they_lack(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin_token().await?;
    let (sam, _, _) = staff_with(&server, "sam@example.com", &["MANAGE_STAFF"]).await?;
    let before = roles(&server, &admin).await?;

    let refused = server
        .graphql_as(
            Some(&sam),
            super::ROLE_CREATE,
            json!({ "name": "Order desk", "permissions": ["MANAGE_STAFF", "MANAGE_ORDERS"] }),
        )
        .await?;
    assert_eq!(refused.error_code(), Some("FORBIDDEN"), "{}", refused.body);
    assert!(refused.error_message().contains("MANAGE_ORDERS"));
    assert_eq!(roles(&server, &admin).await?, before, "no role was stored");

    // What Sam holds, Sam may give.
    let own = create_role(&server, &sam, "Staff desk", &["MANAGE_STAFF"]).await?;
    assert_eq!(own["userErrors"], json!([]), "{own}");
    let own_id = own["role"]["id"].clone();
    // ...but not widen it, nor hand out (or touch) the Administrator role.
    let widen = server
        .graphql_as(
            Some(&sam),
            ROLE_UPDATE,
            json!({ "id": own_id, "name": "Staff desk", "permissions": ["MANAGE_STAFF", "MANAGE_SETTINGS"] }),
        )
        .await?;
    assert_eq!(widen.error_code(), Some("FORBIDDEN"), "{}", widen.body);
    let (admin_id, admin_role) = administrator(&server, &admin).await?;
    let invite = server
        .graphql_as(
            Some(&sam),
            INVITE,
            json!({ "input": { "email": "friend@example.com", "roleIds": [admin_role] } }),
        )
        .await?;
    assert_eq!(invite.error_code(), Some("FORBIDDEN"), "{}", invite.body);
    // Nobody demotes a superior.
    for (query, variables) in [
        (DEACTIVATE, json!({ "id": admin_id })),
        (STAFF_UPDATE, json!({ "id": admin_id, "roles": [own_id] })),
        (ROLE_DELETE, json!({ "id": admin_role })),
    ] {
        let refused = server.graphql_as(Some(&sam), query, variables).await?;
        assert_eq!(refused.error_code(), Some("FORBIDDEN"), "{}", refused.body);
    }
    let customers = server
        .graphql_as(
            Some(&admin),
            "{ customers(query: \"friend@\") { nodes { id } } }",
            json!({}),
        )
        .await?;
    assert_eq!(
        customers.data()["customers"]["nodes"],
        json!([]),
        "the invitation stored nothing"
    );
    assert!(
        !server.admin_token().await?.is_empty(),
        "the administrator is untouched"
    );

    // Holding MANAGE_STAFF is not holding MANAGE_ORDERS.
    let fulfil = server
        .graphql_as(
            Some(&sam),
            "mutation($id: ID!) { orderFulfill(id: $id) { userErrors { code } } }",
            json!({ "id": uuid::Uuid::now_v7().to_string() }),
        )
        .await?;
    assert_eq!(fulfil.error_code(), Some("FORBIDDEN"), "{}", fulfil.body);
    assert!(fulfil.error_message().contains("MANAGE_ORDERS"));
    server.stop().await
}
e2e!(nobody_grants_what_they_lack);

fn code(payload: &Value) -> &str {
    payload["userErrors"][0]["code"]
        .as_str()
        .unwrap_or_default()
}

async fn the_last_staff_manager_is_kept(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin_token().await?;
    let (admin_id, admin_role) = administrator(&server, &admin).await?;
    let everything_but_staff = [
        "MANAGE_PRODUCTS",
        "MANAGE_INVENTORY",
        "MANAGE_ORDERS",
        "MANAGE_DISCOUNTS",
        "MANAGE_CUSTOMERS",
        "MANAGE_WEBHOOKS",
        "MANAGE_SETTINGS",
    ];
    let attempts = [
        ("staffDeactivate", DEACTIVATE, json!({ "id": admin_id })),
        (
            "staffUpdate",
            STAFF_UPDATE,
            json!({ "id": admin_id, "roles": [] }),
        ),
        (
            "roleUpdate",
            ROLE_UPDATE,
            json!({ "id": admin_role, "name": "Administrator", "permissions": everything_but_staff }),
        ),
        ("roleDelete", ROLE_DELETE, json!({ "id": admin_role })),
    ];
    for (field, query, variables) in attempts {
        let refused = server.graphql_as(Some(&admin), query, variables).await?;
        assert_eq!(
            code(&refused.data()[field]),
            "LAST_STAFF_MANAGER",
            "{}",
            refused.body
        );
    }
    // Nothing changed: the session lives, the role holds everything, the admin is a member.
    let me = server
        .graphql_as(Some(&admin), "{ me { isStaff permissions } }", json!({}))
        .await?;
    assert_eq!(me.status, 200);
    assert_eq!(me.data()["me"]["permissions"].as_array().unwrap().len(), 8);
    let administrator_role = roles(&server, &admin)
        .await?
        .into_iter()
        .find(|r| r["name"] == "Administrator")
        .unwrap();
    assert_eq!(administrator_role["memberCount"], 1);
    assert_eq!(
        administrator_role["permissions"].as_array().unwrap().len(),
        8
    );

    // With a second manager, each may remove the other, but not both at once.
    let (bob, bob_id, _) = staff_with(&server, "bob@example.com", &["MANAGE_STAFF"]).await?;
    let bob_role = json!([admin_role]);
    let promoted = server
        .graphql_as(
            Some(&admin),
            STAFF_UPDATE,
            json!({ "id": bob_id, "roles": bob_role }),
        )
        .await?;
    assert_eq!(
        promoted.data()["staffUpdate"]["userErrors"],
        json!([]),
        "{}",
        promoted.body
    );
    let bob = if server
        .graphql_as(Some(&bob), "{ me { id } }", json!({}))
        .await?
        .status
        == 401
    {
        // The change of roles ended Bob's session: he signs in again for the new permissions.
        server
            .sign_in("bob@example.com", e2e::CUSTOMER_PASSWORD)
            .await?
    } else {
        panic!("a change of roles must end the member's sessions")
    };
    let (first, second) = tokio::join!(
        server.graphql_as(Some(&admin), DEACTIVATE, json!({ "id": bob_id })),
        server.graphql_as(Some(&bob), DEACTIVATE, json!({ "id": admin_id })),
    );
    let (first, second) = (first?, second?);
    let active = server
        .graphql_as(
            Some(if first.body.to_string().contains("DEACTIVATED") {
                &admin
            } else {
                &bob
            }),
            "{ staffMembers(status: ACTIVE) { nodes { email } } }",
            json!({}),
        )
        .await?;
    assert_eq!(
        active.data()["staffMembers"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "exactly one manager is left: {} / {} / {}",
        first.body,
        second.body,
        active.body
    );
    let left = active.data()["staffMembers"]["nodes"][0]["email"].clone();
    assert!(left == ADMIN_EMAIL || left == "bob@example.com");
    server.stop().await
}
e2e!(the_last_staff_manager_is_kept);
