//! The audit log: every staff mutation leaves one event naming its actor, what it changed
//! (secrets never) and its request id; `auditEvents` filters and pages them for MANAGE_STAFF.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

const EVENTS: &str = "query($first: Int, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    nodes { id action actor { id email } target { type id } changes { field before after } at requestId }
    pageInfo { hasNextPage endCursor }
  }
}";

const ZONE_CREATE: &str = "mutation($input: ShippingZoneCreateInput!) {
  shippingZoneCreate(input: $input) { shippingZone { id } userErrors { field code message } } }";
const ZONE_UPDATE: &str = "mutation($id: ID!, $input: ShippingZoneUpdateInput!) {
  shippingZoneUpdate(id: $id, input: $input) { shippingZone { id } userErrors { field code message } } }";
const WEBHOOK_CREATE: &str = "mutation($input: WebhookCreateInput!) {
  webhookCreate(input: $input) { webhook { id } secret userErrors { field code message } } }";
const WEBHOOK_ROTATE: &str = "mutation($id: ID!) {
  webhookSecretRotate(id: $id) { secret userErrors { field code message } } }";

async fn events(admin: &e2e::Client, filter: Value) -> anyhow::Result<Vec<Value>> {
    let answer = admin
        .graphql(EVENTS, json!({ "first": 100, "filter": filter }))
        .await?;
    Ok(answer.data()["auditEvents"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

async fn staff_changes_are_logged_with_actor_changes_and_request_id(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::start(backend, 0, |c| {
        c.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
        c.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
        // The webhook below is never called; its address only has to be accepted.
        c.webhooks.webhook_allow_private_networks = true;
    })
    .await?;
    let admin = server.admin().await?;
    let me = admin.graphql("{ me { id email } }", json!({})).await?;
    let admin_id = me.data()["me"]["id"].clone();

    let zone = admin
        .mutate_ok(
            ZONE_CREATE,
            json!({ "input": { "name": "Benelux", "countries": ["BE", "NL"] } }),
        )
        .await?;
    let zone_id = zone["shippingZone"]["id"].clone();
    // Sent with our own request id, which the event must carry.
    let request_id = "audit-test-request-1";
    let response = admin
        .endpoint()
        .http()
        .post(admin.endpoint().url("/graphql"))
        .bearer_auth(admin.token().unwrap())
        .header("x-request-id", request_id)
        .json(&json!({ "query": ZONE_UPDATE,
                       "variables": { "id": zone_id, "input": { "name": "Low Countries" } } }))
        .send()
        .await?;
    assert_eq!(response.status(), 200);

    let updates = events(&admin, json!({ "action": "shippingZoneUpdate" })).await?;
    assert_eq!(updates.len(), 1, "{updates:?}");
    let update = &updates[0];
    assert_eq!(update["actor"]["id"], admin_id);
    assert_eq!(update["actor"]["email"], me.data()["me"]["email"]);
    assert_eq!(update["requestId"], request_id);
    assert_eq!(
        update["target"],
        json!({ "type": "ShippingZone", "id": zone_id })
    );
    assert_eq!(
        update["changes"],
        json!([{ "field": "name", "before": "Benelux", "after": "Low Countries" }]),
        "only the changed field, before and after"
    );
    let created = events(&admin, json!({ "targetId": zone_id })).await?;
    assert_eq!(
        created.len(),
        2,
        "create and update of the zone: {created:?}"
    );
    assert_eq!(created[1]["action"], "shippingZoneCreate", "newest first");

    // Secrets: the webhook's secret is shown to staff once and never reaches the log.
    let webhook = admin
        .mutate_ok(
            WEBHOOK_CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/hooks", "topics": ["ORDER_PAID"] } }),
        )
        .await?;
    let rotated = admin
        .mutate_ok(WEBHOOK_ROTATE, json!({ "id": webhook["webhook"]["id"] }))
        .await?;
    let log = admin
        .graphql(EVENTS, json!({ "first": 100 }))
        .await?
        .body
        .to_string();
    for secret in [&webhook["secret"], &rotated["secret"]] {
        let secret = secret.as_str().unwrap();
        assert!(secret.starts_with("whsec_"));
        assert!(
            !log.contains(secret),
            "a webhook secret reached the audit log"
        );
    }
    let rotation = events(&admin, json!({ "action": "webhookSecretRotate" })).await?;
    assert_eq!(
        rotation[0]["changes"],
        json!([{ "field": "secret", "before": "[REDACTED]", "after": "[REDACTED]" }])
    );
    server.stop().await
}
e2e!(staff_changes_are_logged_with_actor_changes_and_request_id);

async fn refusals_and_customers_leave_no_event_and_cannot_read_the_log(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 1).await?;
    let admin = server.admin().await?;
    let before = events(&admin, json!({})).await?.len();
    // Refused (no countries): nothing changes, so nothing is logged.
    let refused = admin
        .mutate(
            ZONE_CREATE,
            json!({ "input": { "name": "Nowhere", "countries": [] } }),
        )
        .await?;
    assert_ne!(refused["userErrors"], json!([]));
    // A customer's own mutations are not staff actions.
    let shopper = server.customer("audit-shopper@example.com").await?;
    shopper
        .mutate_ok(
            "mutation { cartCreate(input: {}) { cart { id } userErrors { field message } } }",
            json!({}),
        )
        .await?;
    assert_eq!(events(&admin, json!({})).await?.len(), before);
    let forbidden = shopper.graphql(EVENTS, json!({ "first": 5 })).await?;
    assert_eq!(forbidden.error_code(), Some("FORBIDDEN"));
    let anonymous = server
        .guest()
        .graphql(EVENTS, json!({ "first": 5 }))
        .await?;
    assert_eq!(anonymous.error_code(), Some("UNAUTHENTICATED"));
    server.stop().await
}
e2e!(refusals_and_customers_leave_no_event_and_cannot_read_the_log);

async fn the_log_filters_and_pages(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin().await?;
    let start = chrono::Utc::now() - chrono::Duration::seconds(1);
    for name in ["A", "B", "C"] {
        admin
            .mutate_ok(
                ZONE_CREATE,
                json!({ "input": { "name": format!("Zone {name}"), "countries": ["FR"] } }),
            )
            .await?;
    }
    let first = admin
        .graphql(
            EVENTS,
            json!({ "first": 2, "filter": { "action": "shippingZoneCreate" } }),
        )
        .await?;
    let page = &first.data()["auditEvents"];
    assert_eq!(page["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let rest = admin
        .graphql(
            EVENTS,
            json!({ "first": 2, "after": page["pageInfo"]["endCursor"],
                    "filter": { "action": "shippingZoneCreate" } }),
        )
        .await?;
    let rest = &rest.data()["auditEvents"];
    assert_eq!(rest["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    let named = rest["nodes"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["field"] == "name")
        .map(|change| change["after"].clone());
    assert_eq!(
        named,
        Some(json!("Zone A")),
        "the oldest comes last: {rest}"
    );

    let me = admin.graphql("{ me { id } }", json!({})).await?;
    let by_actor = events(&admin, json!({ "actorId": me.data()["me"]["id"] })).await?;
    assert_eq!(by_actor.len(), 3);
    let nobody = events(
        &admin,
        json!({ "actorId": uuid::Uuid::now_v7().to_string() }),
    )
    .await?;
    assert!(nobody.is_empty());
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert!(events(&admin, json!({ "from": future })).await?.is_empty());
    let window = events(&admin, json!({ "from": start.to_rfc3339(), "to": future })).await?;
    assert_eq!(window.len(), 3);
    assert!(
        events(&admin, json!({ "to": start.to_rfc3339() }))
            .await?
            .is_empty()
    );
    server.stop().await
}
e2e!(the_log_filters_and_pages);

/// The check every test ends with (`audit_check`) has teeth: a staff mutation whose event is
/// missing fails it.
async fn the_end_of_test_check_notices_a_missing_event(backend: Backend) -> anyhow::Result<()> {
    use sea_orm::EntityTrait;
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin().await?;
    admin
        .mutate_ok(
            ZONE_CREATE,
            json!({ "input": { "name": "Alps", "countries": ["CH", "AT"] } }),
        )
        .await?;
    let db = &server.app.app.db;
    entities::audit_event::Entity::delete_many()
        .exec(db)
        .await?;
    let verdict = server.endpoint.audit.verify(db).await;
    assert!(
        verdict
            .as_ref()
            .is_err_and(|e| e.to_string().contains("left 0 audit event")),
        "{verdict:?}"
    );
    server.stop().await
}
e2e!(the_end_of_test_check_notices_a_missing_event);

/// Staff management is logged with what it changed: a role's permissions, a member's roles
/// and status.
async fn staff_management_names_roles_and_members(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, 0).await?;
    let admin = server.admin().await?;
    let role = admin
        .mutate_ok(
            "mutation($name: String!, $permissions: [Permission!]!) { roleCreate(name: $name, permissions: $permissions) { role { id } userErrors { field code } } }",
            json!({ "name": "Packers", "permissions": ["MANAGE_ORDERS"] }),
        )
        .await?;
    let role_id = role["role"]["id"].clone();
    let invited = admin
        .mutate_ok(
            "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { staffMember { id } userErrors { field code } } }",
            json!({ "input": { "email": "packer@example.com", "firstName": "Pat",
                               "roleIds": [role_id] } }),
        )
        .await?;
    let member_id = invited["staffMember"]["id"].clone();
    admin
        .mutate_ok(
            "mutation($id: ID!) { staffDeactivate(id: $id) { staffMember { status } userErrors { field code } } }",
            json!({ "id": member_id }),
        )
        .await?;

    let created = events(&admin, json!({ "action": "roleCreate" })).await?;
    assert_eq!(
        created[0]["target"],
        json!({ "type": "Role", "id": role_id })
    );
    let permissions = created[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "permissions")
        .cloned();
    assert!(
        permissions.is_some_and(
            |c| c["before"].is_null() && c["after"].to_string().contains("MANAGE_ORDERS")
        ),
        "{created:?}"
    );
    let about_member = events(&admin, json!({ "targetId": member_id })).await?;
    let actions: Vec<&str> = about_member
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["staffDeactivate", "staffInvite"], "newest first");
    assert_eq!(about_member[0]["target"]["type"], "StaffMember");
    let status = about_member[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "status")
        .cloned();
    assert_eq!(
        status.map(|c| (c["before"].clone(), c["after"].clone())),
        Some((json!("INVITED"), json!("DEACTIVATED")))
    );
    let log = admin
        .graphql(EVENTS, json!({ "first": 100 }))
        .await?
        .body
        .to_string();
    assert!(!log.contains("argon2"), "no password hash in the log");
    server.stop().await
}
e2e!(staff_management_names_roles_and_members);
