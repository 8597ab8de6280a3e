//! Who may manage webhooks, what a valid one is, and where they may point (the SSRF guard).

use super::*;
use e2e::TestServer;

/// The create mutation's user errors for `url` (and the default topics).
async fn refusal(admin: &Client, url: &str) -> anyhow::Result<Value> {
    let payload = admin
        .mutate(
            CREATE,
            json!({ "input": { "url": url, "topics": ["ORDER_PAID"] } }),
        )
        .await?;
    assert_eq!(payload["webhook"], Value::Null, "{url}: {payload}");
    assert_eq!(payload["secret"], Value::Null, "{url}: {payload}");
    Ok(payload["userErrors"][0].clone())
}

/// Without WEBHOOK_ALLOW_PRIVATE_NETWORKS, targets on loopback, private and link-local
/// addresses (the metadata service) are refused, by address or by a name resolving there, and
/// so is anything but http(s); nothing is stored. With the flag the receiver's loopback
/// address is accepted.
async fn private_targets_are_refused_unless_allowed(backend: Backend) -> anyhow::Result<()> {
    let strict = TestServer::with_admin(backend.clone(), 0).await?;
    let admin = strict.admin().await?;
    for (url, says) in [
        (
            "http://127.0.0.1:8080/hooks",
            "127.0.0.1 is a loopback address",
        ),
        ("http://10.1.2.3/hooks", "10.1.2.3 is a private address"),
        (
            "http://169.254.169.254/latest/meta-data",
            "169.254.169.254 is a link-local address",
        ),
        ("http://[::1]:8080/hooks", "::1 is a loopback address"),
        // The WHATWG parser reads this as 127.0.0.1.
        ("http://2130706433/hooks", "127.0.0.1 is a loopback address"),
        ("http://localhost:8080/hooks", "`localhost` resolves to"),
        ("ftp://example.com/hooks", "`ftp:` URLs are not allowed"),
        ("not a url", "not an absolute URL"),
    ] {
        let error = refusal(&admin, url).await?;
        assert_eq!(error["field"], json!(["input", "url"]), "{url}: {error}");
        assert_eq!(error["code"], "INVALID", "{url}: {error}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{url}: {message}");
    }
    assert_eq!(
        super::webhooks(&admin).await?,
        Vec::<Value>::new(),
        "nothing stored"
    );
    strict.stop().await?;

    let allowing = TestServer::start(backend, 0, |config| {
        config.auth.admin_email = Some(e2e::ADMIN_EMAIL.into());
        config.auth.admin_password = Some(e2e::ADMIN_PASSWORD.into());
        config.webhooks.webhook_allow_private_networks = true;
    })
    .await?;
    let admin = allowing.admin().await?;
    let receiver = WebhookReceiver::start().await?;
    subscribe(&admin, &receiver.url(), &["ORDER_PAID"]).await?;
    let error = refusal(&admin, "ftp://127.0.0.1/hooks").await?;
    assert_eq!(error["code"], "INVALID", "{error}");
    assert_eq!(super::webhooks(&admin).await?.len(), 1);
    allowing.stop().await
}
e2e!(private_targets_are_refused_unless_allowed);

/// Only staff with MANAGE_WEBHOOKS manage webhooks; bad input comes back as user errors on
/// its field; the secret is shown by create and rotate only.
async fn staff_manage_webhooks_and_see_the_secret_once(backend: Backend) -> anyhow::Result<()> {
    let shop = shop(backend, 100, |_| {}).await?;
    let receiver = WebhookReceiver::start().await?;
    let input = json!({ "input": { "url": receiver.url(), "topics": ["ORDER_PAID"] } });

    // Guests and customers are refused, and see nothing.
    let guest = shop.guest.graphql(CREATE, input.clone()).await?;
    assert_eq!(
        guest.error_code(),
        Some("UNAUTHENTICATED"),
        "{}",
        guest.body
    );
    let customer = shop.server.customer("hooks@example.com").await?;
    let refused = customer.graphql(CREATE, input.clone()).await?;
    assert_eq!(refused.error_code(), Some("FORBIDDEN"), "{}", refused.body);
    let listed = customer.graphql("{ webhooks { id } }", json!({})).await?;
    assert_eq!(listed.error_code(), Some("FORBIDDEN"), "{}", listed.body);

    // Bad input: on its field, and nothing is stored.
    let bad = |input: Value| {
        let admin = shop.admin.clone();
        async move {
            let payload = admin.mutate(CREATE, json!({ "input": input })).await?;
            assert_eq!(payload["webhook"], Value::Null, "{payload}");
            anyhow::Ok(payload["userErrors"].clone())
        }
    };
    let errors = bad(json!({ "url": receiver.url(), "topics": [] })).await?;
    assert_eq!(errors[0]["field"], json!(["input", "topics"]), "{errors}");
    let errors = bad(json!({
        "url": receiver.url(), "topics": ["ORDER_PAID"], "description": "x".repeat(256)
    }))
    .await?;
    assert_eq!(
        errors[0]["field"],
        json!(["input", "description"]),
        "{errors}"
    );
    assert_eq!(errors[0]["code"], "INVALID");
    assert_eq!(super::webhooks(&shop.admin).await?, Vec::<Value>::new());

    // Created: the secret comes with it, and never again.
    let (id, secret) =
        subscribe(&shop.admin, &receiver.url(), &["ORDER_PAID", "ORDER_PAID"]).await?;
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    let listed = shop
        .admin
        .graphql(
            "{ webhooks { id url topics description active } }",
            json!({}),
        )
        .await?;
    assert_eq!(
        listed.data()["webhooks"],
        json!([{ "id": id, "url": receiver.url(), "topics": ["ORDER_PAID"], "description": "the test's receiver", "active": true }])
    );
    assert!(!listed.body.to_string().contains(&secret));
    let asked = shop
        .admin
        .graphql("{ webhooks { secret } }", json!({}))
        .await?;
    assert!(
        asked.body["errors"].is_array(),
        "no field holds it: {}",
        asked.body
    );

    // Changes: the description cleared, topics replaced; unknown ids are NOT_FOUND.
    let updated = shop
        .admin
        .mutate_ok(
            "mutation($id: ID!, $input: WebhookUpdateInput!) { webhookUpdate(id: $id, input: $input) { webhook { topics description } userErrors { field code message } } }",
            json!({ "id": id, "input": { "topics": ["STOCK_OUT", "ORDER_CREATED"], "description": null } }),
        )
        .await?;
    assert_eq!(
        updated["webhook"],
        json!({ "topics": ["ORDER_CREATED", "STOCK_OUT"], "description": null })
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    for mutation in [
        "mutation($id: ID!) { webhookSecretRotate(id: $id) { secret userErrors { field code } } }",
        "mutation($id: ID!) { webhookDelete(id: $id) { deletedWebhookId userErrors { field code } } }",
        "mutation($id: ID!) { webhookDeliveryRetry(id: $id) { delivery { id } userErrors { field code } } }",
        "mutation($id: ID!) { webhookUpdate(id: $id, input: { active: true }) { webhook { id } userErrors { field code } } }",
    ] {
        let payload = shop
            .admin
            .mutate(mutation, json!({ "id": unknown }))
            .await?;
        assert_eq!(
            payload["userErrors"],
            json!([{ "field": ["id"], "code": "NOT_FOUND" }]),
            "{mutation}: {payload}"
        );
    }
    let deleted = shop
        .admin
        .mutate_ok(
            "mutation($id: ID!) { webhookDelete(id: $id) { deletedWebhookId userErrors { field code message } } }",
            json!({ "id": id }),
        )
        .await?;
    assert_eq!(deleted["deletedWebhookId"], id.as_str());
    assert_eq!(super::webhooks(&shop.admin).await?, Vec::<Value>::new());
    shop.server.stop().await
}
e2e!(staff_manage_webhooks_and_see_the_secret_once);

/// The guard runs again at every send, on the address the client connects to: webhooks
/// saved when the rules allowed them (written here straight to the database) are refused
/// once the server runs without WEBHOOK_ALLOW_PRIVATE_NETWORKS, by address and by name, and
/// the receiver hears nothing.
async fn the_guard_runs_again_at_send_time(backend: Backend) -> anyhow::Result<()> {
    use entities::json::StringList;
    use entities::webhook;
    use sea_orm::{ActiveModelTrait, Set};

    let shop = Shop::open(backend, &[2500], |config| {
        config.webhooks.webhook_retry_base_ms = 60_000;
    })
    .await?;
    shop.server.outbox_drained().await?;
    let receiver = WebhookReceiver::start().await?;
    let port = receiver.addr.port();
    for url in [
        format!("http://127.0.0.1:{port}/hooks"),
        format!("http://localhost:{port}/hooks"),
    ] {
        let at = chrono::Utc::now();
        webhook::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            url: Set(url),
            topics: Set(StringList(vec!["STOCK_CHANGED".into()])),
            description: Set(None),
            active: Set(true),
            secret: Set(webhook::Secret::new(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            )),
            consecutive_failures: Set(0),
            disabled_reason: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&shop.db)
        .await?;
    }
    shop.set_stock(0, 3).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let errors = loop {
        let listed = super::webhooks(&shop.admin).await?;
        let errors: Vec<String> = listed
            .iter()
            .filter_map(|w| w["deliveries"]["nodes"][0]["lastError"].as_str())
            .map(str::to_owned)
            .collect();
        if errors.len() == 2 {
            break errors;
        }
        anyhow::ensure!(Instant::now() < deadline, "not attempted: {listed:#?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert!(
        errors[0].starts_with("refused: 127.0.0.1 is a loopback address"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("refused: `localhost` resolves to"),
        "{errors:?}"
    );
    assert!(receiver.received().is_empty());
    shop.server.stop().await
}
e2e!(the_guard_runs_again_at_send_time);
