//! Inviting staff: the mail arrives (a real SMTP server) with a link; accepting it sets the
//! password and signs in with exactly the invited roles' permissions; the link works once
//! and for 72 hours; until then the account cannot sign in.

use super::create_role;
use e2e::smtp::SmtpServer;
use e2e::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestServer, e2e};
use entities::staff_invitation;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const STOREFRONT: &str = "https://shop.example";
const INVITE: &str = "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { staffMember { id email status roles { name } permissions } userErrors { field code } } }";
const ACCEPT: &str = "mutation($t: String!, $p: String!) { staffInvitationAccept(token: $t, password: $p) { accessToken refreshToken customer { email isStaff permissions } userErrors { field code } } }";
const PASSWORD: &str = "a fresh staff passphrase";

async fn accept(server: &TestServer, token: &str, password: &str) -> anyhow::Result<Value> {
    let accepted = server
        .graphql(ACCEPT, json!({ "t": token, "p": password }))
        .await?;
    Ok(accepted.data()["staffInvitationAccept"].clone())
}

/// Invites `email` with `role` as the administrator (`admin`: sign-ins are rate limited) and returns the token of the mailed link
/// (the `count`th mail to arrive).
async fn invite(
    server: &TestServer,
    admin: &str,
    smtp: &SmtpServer,
    email: &str,
    role: &Value,
    count: usize,
) -> anyhow::Result<(Value, String)> {
    let invited = server
        .graphql_as(
            Some(admin),
            INVITE,
            json!({ "input": { "email": email, "firstName": "Pat", "roleIds": [role] } }),
        )
        .await?;
    let payload = invited.data()["staffInvite"].clone();
    assert_eq!(payload["userErrors"], json!([]), "{}", invited.body);
    let mails = smtp.wait_for(count).await?;
    let mail = &mails[count - 1];
    assert!(mail.subject.contains("invited"), "{}", mail.subject);
    let link = mail
        .link(&format!("{STOREFRONT}/staff/invitation?token="))
        .unwrap_or_else(|| panic!("no invitation link in {}", mail.text));
    assert!(mail.text.contains("72 hours"), "{}", mail.text);
    let (_, token) = link.split_once("token=").unwrap();
    Ok((payload["staffMember"].clone(), token.to_owned()))
}

async fn an_invitation_signs_in_once_with_exactly_its_roles(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let server = TestServer::start(backend, 0, |c| {
        c.auth.admin_email = Some(ADMIN_EMAIL.into());
        c.auth.admin_password = Some(ADMIN_PASSWORD.into());
        c.mail.smtp_url = Some(smtp.url());
        c.mail.storefront_url = STOREFRONT.parse().unwrap();
    })
    .await?;
    let admin = server.admin_token().await?;
    let role = create_role(
        &server,
        &admin,
        "Warehouse",
        &["MANAGE_INVENTORY", "MANAGE_ORDERS"],
    )
    .await?["role"]["id"]
        .clone();

    let (member, token) = invite(&server, &admin, &smtp, "  Pat@Example.COM ", &role, 1).await?;
    assert_eq!(member["email"], "pat@example.com", "normalised");
    assert_eq!(member["status"], "INVITED");
    assert_eq!(member["permissions"], json!([]), "nothing until accepted");
    assert!(
        server.sign_in("pat@example.com", "").await?.is_empty(),
        "no password works before the invitation is accepted"
    );

    let weak = accept(&server, &token, "short").await?;
    assert_eq!(
        weak["userErrors"][0]["field"],
        json!(["password"]),
        "{weak}"
    );
    assert!(weak["accessToken"].is_null());

    let accepted = accept(&server, &token, PASSWORD).await?;
    assert_eq!(accepted["userErrors"], json!([]), "{accepted}");
    assert_eq!(
        accepted["customer"]["permissions"],
        json!(["MANAGE_INVENTORY", "MANAGE_ORDERS"]),
        "exactly the invited role's permissions"
    );
    let access = accepted["accessToken"].as_str().unwrap();
    let me = server
        .graphql_as(
            Some(access),
            "{ me { email isStaff permissions } }",
            json!({}),
        )
        .await?;
    assert_eq!(me.data()["me"]["isStaff"], true, "{}", me.body);
    assert_eq!(
        me.data()["me"]["permissions"],
        accepted["customer"]["permissions"]
    );
    let staff_only = server
        .graphql_as(Some(access), "{ roles { name } }", json!({}))
        .await?;
    assert_eq!(
        staff_only.error_code(),
        Some("FORBIDDEN"),
        "no MANAGE_STAFF"
    );
    assert!(
        !server
            .sign_in("pat@example.com", PASSWORD)
            .await?
            .is_empty()
    );

    let again = accept(&server, &token, "another fresh passphrase").await?;
    assert_eq!(again["userErrors"][0]["code"], "INVALID_TOKEN", "{again}");
    assert!(
        server
            .sign_in("pat@example.com", "another fresh passphrase")
            .await?
            .is_empty(),
        "a used link changes nothing"
    );

    // An invitation left 72 hours is refused.
    let (_, late) = invite(&server, &admin, &smtp, "quinn@example.com", &role, 2).await?;
    let moved = staff_invitation::Entity::update_many()
        .col_expr(
            staff_invitation::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(staff_invitation::Column::UsedAt.is_null())
        .exec(&server.app.app.db)
        .await?;
    assert_eq!(moved.rows_affected, 1);
    let expired = accept(&server, &late, PASSWORD).await?;
    assert_eq!(
        expired["userErrors"][0]["code"], "INVALID_TOKEN",
        "{expired}"
    );
    assert!(
        server
            .sign_in("quinn@example.com", PASSWORD)
            .await?
            .is_empty()
    );
    server.stop().await
}
e2e!(an_invitation_signs_in_once_with_exactly_its_roles);
