//! Passwords: a change ends the other sessions only; a reset request answers the same for
//! every address; its link works once, for an hour, and ends every session of the account.

use super::{STOREFRONT, finish, open_shop, place_order};
use e2e::smtp::SmtpServer;
use e2e::{Backend, CUSTOMER_PASSWORD, WsClient, WsProtocol, e2e};
use entities::password_reset_token;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SIGN_IN: &str = "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { accessToken refreshToken userErrors { code } } }";
const REFRESH: &str =
    "mutation($t: String!) { tokenRefresh(refreshToken: $t) { accessToken userErrors { code } } }";
const CHANGE: &str = "mutation($c: String!, $n: String!) { customerPasswordChange(currentPassword: $c, newPassword: $n) { endedSessions userErrors { field code } } }";
const REQUEST: &str = "mutation($e: String!) { customerPasswordResetRequest(email: $e) { userErrors { field code message } } }";
const RESET: &str = "mutation($t: String!, $p: String!) { customerPasswordReset(token: $t, newPassword: $p) { userErrors { field code } } }";
const WATCH_ORDER: &str = "subscription($id: ID!) { orderUpdated(orderId: $id) { id status } }";
const ME: &str = "{ me { email } }";
const NEW_PASSWORD: &str = "a brand new passphrase";

struct Session {
    access: String,
    refresh: String,
}

async fn sign_in(server: &e2e::TestServer, email: &str, password: &str) -> anyhow::Result<Session> {
    let answer = server
        .graphql(SIGN_IN, json!({ "e": email, "p": password }))
        .await?;
    let tokens = &answer.data()["tokenCreate"];
    assert_eq!(tokens["userErrors"], json!([]), "{tokens}");
    Ok(Session {
        access: tokens["accessToken"].as_str().unwrap().to_owned(),
        refresh: tokens["refreshToken"].as_str().unwrap().to_owned(),
    })
}

async fn status(server: &e2e::TestServer, access: &str) -> anyhow::Result<u16> {
    Ok(server.graphql_as(Some(access), ME, json!({})).await?.status)
}

/// Whether `refresh` still gets new tokens.
async fn refreshes(server: &e2e::TestServer, refresh: &str) -> anyhow::Result<bool> {
    let answer = server.graphql(REFRESH, json!({ "t": refresh })).await?;
    Ok(answer.data()["tokenRefresh"]["accessToken"].is_string())
}

async fn password_change_ends_the_other_sessions_only(backend: Backend) -> anyhow::Result<()> {
    let (shop, redis) = open_shop(backend, |_| {}).await?;
    let email = "ann@example.com";
    shop.server.customer_token(email).await?;
    let phone = sign_in(&shop.server, email, CUSTOMER_PASSWORD).await?;
    let laptop = sign_in(&shop.server, email, CUSTOMER_PASSWORD).await?;
    let on_laptop = shop.server.viewer(&laptop.access);

    // A wrong current password and a weak new one: both said, nothing changes.
    let refused = on_laptop
        .graphql(CHANGE, json!({ "c": "not my password", "n": "short" }))
        .await?;
    assert_eq!(
        refused.data()["customerPasswordChange"]["userErrors"],
        json!([
            { "field": ["currentPassword"], "code": "INVALID_CREDENTIALS" },
            { "field": ["newPassword"], "code": "INVALID" },
        ])
    );
    assert_eq!(status(&shop.server, &phone.access).await?, 200);

    let changed = on_laptop
        .graphql(CHANGE, json!({ "c": CUSTOMER_PASSWORD, "n": NEW_PASSWORD }))
        .await?;
    let payload = &changed.data()["customerPasswordChange"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    // The phone's, and the one `customer_token` signed in with at registration.
    assert_eq!(payload["endedSessions"], 2);
    // The phone is signed out; the laptop, which changed it, is not.
    assert_eq!(status(&shop.server, &phone.access).await?, 401);
    assert!(!refreshes(&shop.server, &phone.refresh).await?);
    assert_eq!(status(&shop.server, &laptop.access).await?, 200);
    assert!(refreshes(&shop.server, &laptop.refresh).await?);
    // Only the new password signs in.
    let old = shop
        .server
        .graphql(SIGN_IN, json!({ "e": email, "p": CUSTOMER_PASSWORD }))
        .await?;
    assert_eq!(
        old.data()["tokenCreate"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    sign_in(&shop.server, email, NEW_PASSWORD).await?;
    finish(shop, redis).await
}
e2e!(password_change_ends_the_other_sessions_only);

/// The token of the newest reset mail to `to`, waiting up to 40 s for mail number `count`.
async fn reset_token(smtp: &SmtpServer, to: &str, count: usize) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let mails: Vec<_> = smtp
            .received()?
            .into_iter()
            .filter(|m| m.to.contains(to) && m.subject.contains("Reset"))
            .collect();
        if mails.len() >= count {
            let mail = &mails[count - 1];
            let prefix = format!("{STOREFRONT}/account/reset-password?token=");
            let link = mail.link(&prefix).expect("the mail carries the link");
            return Ok(link[prefix.len()..].to_owned());
        }
        anyhow::ensure!(Instant::now() < deadline, "no reset mail for {to}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn reset(server: &e2e::TestServer, token: &str, password: &str) -> anyhow::Result<Value> {
    let answer = server
        .graphql(RESET, json!({ "t": token, "p": password }))
        .await?;
    Ok(answer.data()["customerPasswordReset"]["userErrors"].clone())
}

async fn watching(shop: &super::Shop, access: &str, order: &Value) -> anyhow::Result<WsClient> {
    let mut client = shop
        .server
        .websocket(WsProtocol::TransportWs, json!({ "accessToken": access }))
        .await?;
    client
        .subscribe("watch", WATCH_ORDER, json!({ "id": order }))
        .await?;
    Ok(client)
}

async fn a_reset_link_works_once_for_an_hour_and_ends_every_session(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let smtp_url = smtp.url();
    let (shop, redis) = open_shop(backend, |c| c.mail.smtp_url = Some(smtp_url)).await?;
    let email = "ann@example.com";
    let ann = shop.server.customer(email).await?;
    let order = place_order(&shop, &ann, email, super::address("Ann")).await?;
    let phone = sign_in(&shop.server, email, CUSTOMER_PASSWORD).await?;
    let laptop = sign_in(&shop.server, email, CUSTOMER_PASSWORD).await?;
    let mut on_phone = watching(&shop, &phone.access, &order["id"]).await?;

    // Known and unknown addresses get the same bytes; a malformed one is refused.
    let known = shop
        .guest
        .graphql(REQUEST, json!({ "e": " Ann@Example.com " }))
        .await?;
    let unknown = shop
        .guest
        .graphql(REQUEST, json!({ "e": "nobody@example.com" }))
        .await?;
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        serde_json::to_string(&known.body)?,
        serde_json::to_string(&unknown.body)?
    );
    assert_eq!(
        known.data()["customerPasswordResetRequest"]["userErrors"],
        json!([])
    );
    let malformed = shop
        .guest
        .graphql(REQUEST, json!({ "e": "not an email" }))
        .await?;
    assert_eq!(
        malformed.data()["customerPasswordResetRequest"]["userErrors"][0]["code"],
        "INVALID"
    );

    let token = reset_token(&smtp, email, 1).await?;
    // A weak password is refused and leaves the token usable.
    assert_eq!(
        reset(&shop.server, &token, "short").await?[0]["code"],
        "INVALID"
    );
    assert_eq!(reset(&shop.server, &token, NEW_PASSWORD).await?, json!([]));

    // Every session ended: the open subscription, access and refresh tokens.
    let ended = on_phone.message_for("watch").await?;
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
    assert_eq!(on_phone.message_for("watch").await?["type"], "complete");
    for session in [&phone, &laptop] {
        assert_eq!(status(&shop.server, &session.access).await?, 401);
        assert!(!refreshes(&shop.server, &session.refresh).await?);
    }
    assert_eq!(status(&shop.server, &ann_access(&ann)).await?, 401);
    // Once only.
    assert_eq!(
        reset(&shop.server, &token, "yet another passphrase").await?[0]["code"],
        "INVALID_TOKEN"
    );
    sign_in(&shop.server, email, NEW_PASSWORD).await?;

    // A second link, used after its hour, is refused and changes nothing.
    shop.guest.graphql(REQUEST, json!({ "e": email })).await?;
    let late = reset_token(&smtp, email, 2).await?;
    let waiting = password_reset_token::Entity::find()
        .filter(password_reset_token::Column::UsedAt.is_null())
        .all(&shop.db)
        .await?;
    assert_eq!(
        waiting.len(),
        1,
        "a new request replaces older unused links"
    );
    assert_eq!(
        waiting[0].expires_at - waiting[0].created_at,
        chrono::Duration::hours(1)
    );
    // As if the hour had passed.
    let an_hour_ago = chrono::Utc::now() - chrono::Duration::seconds(1);
    password_reset_token::Entity::update_many()
        .col_expr(
            password_reset_token::Column::ExpiresAt,
            Expr::value(an_hour_ago),
        )
        .filter(password_reset_token::Column::UsedAt.is_null())
        .exec(&shop.db)
        .await?;
    assert_eq!(
        reset(&shop.server, &late, "yet another passphrase").await?[0]["code"],
        "INVALID_TOKEN"
    );
    sign_in(&shop.server, email, NEW_PASSWORD).await?;
    assert_eq!(
        reset(&shop.server, "made-up", NEW_PASSWORD).await?[0]["code"],
        "INVALID_TOKEN"
    );
    // Nothing was mailed to the unknown address.
    assert!(smtp.received()?.iter().all(|m| !m.to.contains("nobody@")));
    finish(shop, redis).await
}
e2e!(a_reset_link_works_once_for_an_hour_and_ends_every_session);

/// The access token a `Customer` helper signed in with.
fn ann_access(ann: &e2e::Customer) -> String {
    ann.token().unwrap_or_default().to_owned()
}

/// Reset requests are budgeted per client (then `RATE_LIMITED`) and per address (then the
/// same answer, and no more mail): neither a flood nor a mail bomb gets through.
async fn reset_requests_are_budgeted_per_client_and_per_address(
    backend: Backend,
) -> anyhow::Result<()> {
    use entities::mail_job;
    use sea_orm::PaginatorTrait;
    let (shop, redis) = open_shop(backend, |c| {
        c.auth.password_resets_per_client = 5;
        c.auth.password_resets_per_email = 3;
    })
    .await?;
    let email = "bea@example.com";
    shop.server.customer(email).await?;
    let mut answers = Vec::new();
    for _ in 0..5 {
        let answer = shop.guest.graphql(REQUEST, json!({ "e": email })).await?;
        answers.push(serde_json::to_string(&answer.body)?);
    }
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "every allowed request gets the same answer: {answers:?}"
    );
    let flooded = shop.guest.graphql(REQUEST, json!({ "e": email })).await?;
    assert_eq!(
        flooded.error_code(),
        Some("RATE_LIMITED"),
        "{}",
        flooded.body
    );

    // The mails are queued after answering: wait for three, then make sure no fourth follows.
    let db = &shop.server.app.app.db;
    let mails = || {
        mail_job::Entity::find()
            .filter(mail_job::Column::Template.eq("password_reset"))
            .filter(mail_job::Column::Recipient.eq(email))
            .count(db)
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while mails().await? < 3 {
        anyhow::ensure!(Instant::now() < deadline, "three reset mails were queued");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        mails().await?,
        3,
        "the fourth and fifth requests sent nothing"
    );
    finish(shop, redis).await
}
e2e!(reset_requests_are_budgeted_per_client_and_per_address);
