//! Sign-up, sign-in, sessions and the viewer, through the public API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use e2e::{Backend, GraphqlResponse, TestServer, WsProtocol, e2e};
use serde_json::{Value, json};

const REGISTER: &str =
    "mutation($input: CustomerRegisterInput!) { customerRegister(input: $input) {
    customer { id email firstName isStaff } userErrors { field message code } } }";
const SIGN_IN: &str = "mutation($email: String!, $password: String!) { tokenCreate(email: $email, password: $password) {
    accessToken accessTokenExpiresAt refreshToken customer { email } userErrors { field message code } } }";
const REFRESH: &str = "mutation($t: String!) { tokenRefresh(refreshToken: $t) {
    accessToken refreshToken customer { email } userErrors { field message code } } }";
const REVOKE: &str =
    "mutation($t: String!, $all: Boolean) { tokenRevoke(refreshToken: $t, allSessions: $all) {
    revokedTokens userErrors { code } } }";
const PASSWORD: &str = "correct horse battery";

async fn register(server: &TestServer, email: &str, password: &str) -> anyhow::Result<Value> {
    let r = server
        .graphql(
            REGISTER,
            json!({ "input": { "email": email, "password": password, "firstName": "Jane" } }),
        )
        .await?;
    Ok(r.data()["customerRegister"].clone())
}

async fn sign_in(server: &TestServer, email: &str, password: &str) -> anyhow::Result<Value> {
    Ok(server
        .graphql(SIGN_IN, json!({ "email": email, "password": password }))
        .await?
        .data()["tokenCreate"]
        .clone())
}

async fn me(server: &TestServer, token: &str) -> anyhow::Result<GraphqlResponse> {
    let response = server
        .http()
        .post(server.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ me { email isStaff permissions } }" }))
        .send()
        .await?;
    TestServer::read(response).await
}

async fn registration_validates_and_normalises(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    let created = register(&server, "  Jane.Doe@Example.COM ", PASSWORD).await?;
    assert_eq!(created["userErrors"], json!([]));
    assert_eq!(created["customer"]["email"], "jane.doe@example.com");
    assert_eq!(created["customer"]["isStaff"], false);

    let again = register(&server, "jane.doe@example.com", PASSWORD).await?;
    assert_eq!(again["customer"], Value::Null);
    assert_eq!(again["userErrors"][0]["code"], "TAKEN");
    assert_eq!(again["userErrors"][0]["field"], json!(["input", "email"]));

    for (email, password, field) in [
        ("not-an-email", PASSWORD, "email"),
        ("x@example.com", "short", "password"),
        ("x@example.com", "password123", "password"),
        ("x@example.com", "aaaaaaaaaaaaaa", "password"),
    ] {
        let refused = register(&server, email, password).await?;
        assert_eq!(refused["customer"], Value::Null, "{email} / {password}");
        assert_eq!(refused["userErrors"][0]["code"], "INVALID");
        assert_eq!(refused["userErrors"][0]["field"], json!(["input", field]));
    }
    // Refused registrations created nothing: x@example.com is still free.
    assert_eq!(
        register(&server, "x@example.com", PASSWORD).await?["userErrors"],
        json!([])
    );
    server.stop().await
}
e2e!(registration_validates_and_normalises);

async fn sign_in_does_not_reveal_which_part_is_wrong(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    register(&server, "jane@example.com", PASSWORD).await?;
    let wrong_password = sign_in(&server, "jane@example.com", "wrong horse battery").await?;
    let unknown_email = sign_in(&server, "nobody@example.com", PASSWORD).await?;
    for refused in [&wrong_password, &unknown_email] {
        assert_eq!(refused["accessToken"], Value::Null);
        assert_eq!(refused["refreshToken"], Value::Null);
    }
    assert_eq!(
        wrong_password["userErrors"], unknown_email["userErrors"],
        "same answer either way"
    );
    assert_eq!(
        wrong_password["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );

    let session = sign_in(&server, "JANE@example.com", PASSWORD).await?;
    assert_eq!(session["userErrors"], json!([]));
    let token = session["accessToken"].as_str().unwrap();
    let who = me(&server, token).await?;
    assert_eq!(who.data()["me"]["email"], "jane@example.com");
    assert_eq!(who.data()["me"]["permissions"], json!([]));

    // No token: anonymous. A bad token: 401, so the client knows to refresh.
    assert_eq!(
        server.graphql("{ me { email } }", json!({})).await?.data()["me"],
        Value::Null
    );
    let forged = me(&server, &format!("{token}x")).await?;
    assert_eq!(forged.status, 401);
    assert_eq!(forged.error_code(), Some("UNAUTHENTICATED"));
    server.stop().await
}
e2e!(sign_in_does_not_reveal_which_part_is_wrong);

async fn refresh_tokens_rotate_and_reuse_ends_the_session(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    register(&server, "jane@example.com", PASSWORD).await?;
    let first = sign_in(&server, "jane@example.com", PASSWORD).await?["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let refreshed =
        server.graphql(REFRESH, json!({ "t": first })).await?.data()["tokenRefresh"].clone();
    assert_eq!(refreshed["userErrors"], json!([]));
    let second = refreshed["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second, first, "refresh tokens rotate");
    assert_eq!(
        me(&server, refreshed["accessToken"].as_str().unwrap())
            .await?
            .data()["me"]["email"],
        "jane@example.com"
    );

    // The rotated token comes back (stolen copy): refused, and the whole family is revoked,
    // so the legitimate successor stops working too.
    let reused =
        server.graphql(REFRESH, json!({ "t": first })).await?.data()["tokenRefresh"].clone();
    assert_eq!(reused["userErrors"][0]["code"], "INVALID_TOKEN");
    assert_eq!(reused["accessToken"], Value::Null);
    let successor = server
        .graphql(REFRESH, json!({ "t": second }))
        .await?
        .data()["tokenRefresh"]
        .clone();
    assert_eq!(
        successor["userErrors"][0]["code"], "INVALID_TOKEN",
        "the family was revoked"
    );

    // Other sessions (families) are untouched by that.
    let other = sign_in(&server, "jane@example.com", PASSWORD).await?["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let still =
        server.graphql(REFRESH, json!({ "t": other })).await?.data()["tokenRefresh"].clone();
    assert_eq!(still["userErrors"], json!([]));
    server.stop().await
}
e2e!(refresh_tokens_rotate_and_reuse_ends_the_session);

async fn sign_out_revokes_one_or_all_sessions(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    register(&server, "jane@example.com", PASSWORD).await?;
    let phone = sign_in(&server, "jane@example.com", PASSWORD).await?["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let laptop = sign_in(&server, "jane@example.com", PASSWORD).await?["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let tablet = sign_in(&server, "jane@example.com", PASSWORD).await?["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = server.graphql(REVOKE, json!({ "t": phone })).await?.data()["tokenRevoke"].clone();
    assert_eq!(out["revokedTokens"], 1);
    let refresh = |t: &str| server.graphql(REFRESH, json!({ "t": t }));
    assert_eq!(
        refresh(&phone).await?.data()["tokenRefresh"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
    let laptop_next = refresh(&laptop).await?.data()["tokenRefresh"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let everywhere = server
        .graphql(REVOKE, json!({ "t": tablet, "all": true }))
        .await?
        .data()["tokenRevoke"]
        .clone();
    assert_eq!(
        everywhere["revokedTokens"], 2,
        "the tablet's and the laptop's live tokens"
    );
    assert_eq!(
        refresh(&laptop_next).await?.data()["tokenRefresh"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );

    let unknown =
        server.graphql(REVOKE, json!({ "t": "nope" })).await?.data()["tokenRevoke"].clone();
    assert_eq!(unknown["userErrors"][0]["code"], "INVALID_TOKEN");
    server.stop().await
}
e2e!(sign_out_revokes_one_or_all_sessions);

async fn websocket_auth_happens_at_connection_init(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend, 0).await?;
    register(&server, "jane@example.com", PASSWORD).await?;
    let token = sign_in(&server, "jane@example.com", PASSWORD).await?["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    for payload in [
        json!({ "Authorization": format!("Bearer {token}") }),
        json!({ "headers": { "Authorization": format!("Bearer {token}") } }),
        json!({ "token": token }),
    ] {
        let mut client = server
            .websocket(WsProtocol::TransportWs, payload.clone())
            .await?;
        client
            .subscribe("1", "subscription { stockChanged { sku } }", json!({}))
            .await?;
        client.socket.close(None).await?;
    }
    let refused = server
        .websocket(
            WsProtocol::TransportWs,
            json!({ "Authorization": "Bearer forged" }),
        )
        .await;
    assert!(refused.is_err(), "a bad token gets no connection_ack");
    server.stop().await
}
e2e!(websocket_auth_happens_at_connection_init);

async fn look_alike_emails_are_one_account_or_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_catalog(backend.clone(), 0).await?;
    let created = register(&server, "Ada@Example.COM", PASSWORD).await?;
    assert_eq!(created["userErrors"], json!([]), "{created}");
    assert_eq!(created["customer"]["email"], "ada@example.com");

    // Full-width letters are the same address (NFKC): the account exists.
    let same = register(&server, "ａｄａ@example.com", PASSWORD).await?;
    assert_eq!(same["userErrors"][0]["code"], "TAKEN", "{same}");

    // Invisible, text-direction and mixed-script look-alikes are refused, not new accounts.
    for email in [
        "a\u{200b}da@example.com",
        "ada\u{200d}@example.com",
        "\u{202e}ada@example.com",
        "\u{feff}ada@example.com",
        "\u{0430}da@example.com",
        "ada@ex\u{0430}mple.com",
    ] {
        let refused = register(&server, email, PASSWORD).await?;
        assert_eq!(refused["customer"], Value::Null, "{email:?}");
        assert_eq!(refused["userErrors"][0]["code"], "INVALID", "{email:?}");
        assert_eq!(refused["userErrors"][0]["field"], json!(["input", "email"]));

        let signed_in = sign_in(&server, email, PASSWORD).await?;
        assert_eq!(signed_in["accessToken"], Value::Null, "{email:?}");
        assert_eq!(signed_in["userErrors"][0]["code"], "INVALID", "{email:?}");
        assert_eq!(signed_in["userErrors"][0]["field"], json!(["email"]));
    }

    // Case and compatibility forms sign in to the one account.
    for email in ["Ada@example.com", "ADA@EXAMPLE.COM", "ａｄａ@example.com"] {
        let session = sign_in(&server, email, PASSWORD).await?;
        assert_eq!(session["userErrors"], json!([]), "{email}");
        assert_eq!(session["customer"]["email"], "ada@example.com");
    }

    // A cart's buyer email follows the same rules.
    let update = "mutation($cart: ID!, $email: String!) { cartBuyerIdentityUpdate(cartId: $cart, buyerIdentity: { email: $email }) { cart { buyerIdentity { email } } userErrors { field code } } }";
    let created = server
        .graphql(
            "mutation { cartCreate(input: {}) { cart { id } } }",
            json!({}),
        )
        .await?;
    let cart = created.data()["cartCreate"]["cart"]["id"].clone();
    let refused = server
        .graphql(
            update,
            json!({ "cart": cart, "email": "b\u{0430}b@example.com" }),
        )
        .await?;
    let payload = &refused.data()["cartBuyerIdentityUpdate"];
    assert_eq!(payload["userErrors"][0]["code"], "INVALID", "{payload}");
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["buyerIdentity", "email"])
    );
    let accepted = server
        .graphql(
            update,
            json!({ "cart": cart, "email": " ＢＯＢ@Example.com " }),
        )
        .await?;
    let payload = &accepted.data()["cartBuyerIdentityUpdate"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    assert_eq!(payload["cart"]["buyerIdentity"]["email"], "bob@example.com");
    server.stop().await?;

    // The administrator's email from the configuration too: the server does not start.
    let refused = TestServer::start(backend, 0, |config| {
        config.auth.admin_email = Some("\u{0430}dmin@example.com".to_owned());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.to_owned());
    })
    .await;
    let error = format!(
        "{:#}",
        refused.err().expect("a look-alike admin email is refused")
    );
    assert!(error.contains("alphabets"), "{error}");
    Ok(())
}
e2e!(look_alike_emails_are_one_account_or_refused);
