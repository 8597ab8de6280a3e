//! Discount codes on carts: which are refused, which are kept but not applicable yet.

use super::*;
use e2e::{TestRedis, WsProtocol};
use sea_orm::PaginatorTrait;

async fn discount_codes_are_checked_when_applied(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[2000], |_| {}).await?;
    let now = chrono::Utc::now();
    let mut expired = shop.discount("OLD", DiscountKind::Percentage, 1000).await?;
    expired.ends_at = Set(Some(now - chrono::Duration::days(1)));
    expired.insert(&shop.db).await?;
    let mut early = shop
        .discount("SOON", DiscountKind::Percentage, 1000)
        .await?;
    early.starts_at = Set(Some(now + chrono::Duration::days(1)));
    early.insert(&shop.db).await?;
    let mut used_up = shop
        .discount("GONE", DiscountKind::FixedAmount, 500)
        .await?;
    used_up.usage_limit = Set(Some(2));
    used_up.usage_count = Set(2);
    used_up.insert(&shop.db).await?;
    let mut inactive = shop.discount("OFF", DiscountKind::Percentage, 1000).await?;
    inactive.active = Set(false);
    inactive.insert(&shop.db).await?;
    let mut euros = shop
        .discount("EUROS", DiscountKind::FixedAmount, 500)
        .await?;
    euros.currency_code = Set(Some("EUR".to_owned()));
    euros.insert(&shop.db).await?;
    let mut big_spender = shop
        .discount("BIG", DiscountKind::FixedAmount, 1000)
        .await?;
    big_spender.minimum_subtotal = Set(Some(5000));
    big_spender.insert(&shop.db).await?;

    let id = shop.cart_with(&[(0, 1)]).await?;
    // Whatever the reason, one answer: a guesser cannot tell which codes exist.
    for code in ["NOPE", "OLD", "SOON", "GONE", "OFF", "EUROS"] {
        let response = shop.codes(&id, &[code]).await?;
        let errors = refused(&response, "cartDiscountCodesUpdate");
        assert_eq!(
            errors,
            &vec![json!({
                "field": ["discountCodes", "0"],
                "message": "this discount code cannot be used",
                "code": "DISCOUNT_INVALID",
            })],
            "{code}"
        );
    }
    assert_eq!(
        shop.read(&shop.guest, &id).await?["discountCodes"],
        json!([])
    );
    // Staff who manage discounts are told why (they can read every code anyway).
    for (code, reason) in [
        ("NOPE", "not a valid discount code"),
        ("OLD", "expired"),
        ("SOON", "not valid yet"),
        ("GONE", "used up"),
        ("OFF", "not active"),
        ("EUROS", "EUR"),
    ] {
        let response = shop.codes_as(&shop.admin, id, &[code]).await?;
        let errors = refused(&response, "cartDiscountCodesUpdate");
        assert_eq!(errors[0]["code"], "DISCOUNT_INVALID");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{code}: {message}");
    }

    // A minimum not met yet: kept, not applicable, and applied once the cart grows.
    let kept = shop.codes(&id, &["big"]).await?;
    let cart = accepted(&kept, "cartDiscountCodesUpdate");
    assert_eq!(cart["discountCodes"][0]["applicable"], false);
    assert!(
        cart["discountCodes"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("minimum")
    );
    assert_eq!(amount(&cart["cost"]["discountTotal"]), "0.00");
    let grown = shop.add(&shop.guest, &id, shop.lines(&[(0, 2)])).await?;
    let cart = accepted(&grown, "cartLinesAdd");
    assert_eq!(cart["discountCodes"][0]["applicable"], true);
    assert_eq!(amount(&cart["cost"]["discountTotal"]), "10.00");

    // An empty list removes the codes; more than five is refused.
    let cleared = shop.codes(&id, &[]).await?;
    assert_eq!(
        accepted(&cleared, "cartDiscountCodesUpdate")["discountCodes"],
        json!([])
    );
    let many = shop.codes(&id, &["A", "B", "C", "D", "E", "F"]).await?;
    assert_eq!(
        refused(&many, "cartDiscountCodesUpdate")[0]["code"],
        "INVALID"
    );
    shop.server.stop().await
}
e2e!(discount_codes_are_checked_when_applied);

/// One `cartDiscountCodesUpdate` field with `codes`, aliased `alias`, on `cart`.
fn code_update(alias: &str, cart: CartId, codes: &[&str]) -> String {
    format!(
        "{alias}: cartDiscountCodesUpdate(cartId: \"{cart}\", discountCodes: {}) {{ cart {{ id }} userErrors {{ code }} }}",
        json!(codes)
    )
}

fn assert_refused_up_front(body: &Value) {
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("apply discount codes once"),
        "{body}"
    );
    assert!(body["data"].is_null(), "nothing ran: {body}");
}

async fn one_code_applying_mutation_per_request(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[2000], |_| {}).await?;
    shop.discount("TEN", DiscountKind::Percentage, 1000)
        .await?
        .insert(&shop.db)
        .await?;
    let id = shop.cart_with(&[(0, 1)]).await?;
    let carts_before = entities::cart::Entity::find().count(&shop.db).await?;

    // The attack: 19 aliases of 5 codes each, the right one among them.
    let guesses: Vec<String> = (0..19)
        .map(|i| {
            let codes: Vec<String> = (0..5).map(|j| format!("GUESS{i}X{j}")).collect();
            let mut codes: Vec<&str> = codes.iter().map(String::as_str).collect();
            if i == 18 {
                codes[4] = "TEN";
            }
            code_update(&format!("a{i}"), id, &codes)
        })
        .collect();
    let attack = format!("mutation {{ {} }}", guesses.join(" "));
    assert_refused_up_front(&shop.server.graphql(&attack, json!({})).await?.body);

    // Through fragments, or beside another mutation: refused before anything runs.
    let fragments = format!(
        "mutation {{ ...A ... on Mutation {{ ...B }} }} fragment A on Mutation {{ {} }} fragment B on Mutation {{ {} }}",
        code_update("a", id, &["NOPE"]),
        code_update("b", id, &["TEN"])
    );
    assert_refused_up_front(&shop.server.graphql(&fragments, json!({})).await?.body);
    let beside = format!(
        "mutation {{ cartCreate {{ cart {{ id }} }} {} {} }}",
        code_update("a", id, &["NOPE"]),
        code_update("b", id, &["TEN"])
    );
    assert_refused_up_front(&shop.server.graphql(&beside, json!({})).await?.body);
    let mut socket = shop
        .server
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    assert_refused_up_front(&socket.run("1", &attack, json!({})).await?);
    assert_eq!(
        shop.read(&shop.guest, &id).await?["discountCodes"],
        json!([])
    );
    assert_eq!(
        entities::cart::Entity::find().count(&shop.db).await?,
        carts_before,
        "cartCreate did not run"
    );

    // One per request is what storefronts send; only the operation that runs counts.
    let two_operations = format!(
        "mutation A {{ {} }} mutation B {{ {} }}",
        code_update("a", id, &["TEN"]),
        code_update("b", id, &["NOPE"])
    );
    let chosen = shop
        .server
        .http()
        .post(shop.server.url("/graphql"))
        .json(&json!({ "query": two_operations, "operationName": "A" }))
        .send()
        .await?;
    let chosen = e2e::TestServer::read(chosen).await?;
    assert_eq!(
        chosen.data()["a"]["userErrors"],
        json!([]),
        "{}",
        chosen.body
    );
    assert_eq!(
        shop.read(&shop.guest, &id).await?["discountCodes"][0]["code"],
        "TEN"
    );
    shop.server.stop().await
}
e2e!(one_code_applying_mutation_per_request);

async fn code_attempts_are_budgeted_per_cart_and_per_client(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[2000], |config| {
        config.commerce.discount_code_attempts_per_cart = 4;
        config.commerce.discount_code_attempts_per_client = 6;
        config.commerce.discount_code_window_secs = 86_400;
    })
    .await?;
    shop.discount("TEN", DiscountKind::Percentage, 1000)
        .await?
        .insert(&shop.db)
        .await?;
    let update = "cartDiscountCodesUpdate";
    let first = shop.cart_with(&[(0, 1)]).await?;
    let invalid = shop.codes(&first, &["A1", "A2", "A3"]).await?;
    assert_eq!(refused(&invalid, update).len(), 3);

    // The first cart's budget is spent: even the right code is refused there, and the cart
    // is unchanged.
    for codes in [&["TEN", "A4"][..], &["TEN"][..]] {
        let spent = shop.codes(&first, codes).await?;
        let errors = refused(&spent, update);
        assert_eq!(errors[0]["code"], "TOO_MANY_ATTEMPTS", "{errors:?}");
        assert_eq!(errors[0]["field"], json!(["discountCodes"]));
        assert!(
            errors[0]["message"]
                .as_str()
                .unwrap()
                .contains("try again in")
        );
    }
    assert_eq!(
        shop.read(&shop.guest, &first).await?["discountCodes"],
        json!([])
    );

    // Another cart has its own budget; the client's is shared (3 spent so far).
    let second = shop.cart_with(&[(0, 1)]).await?;
    accepted(&shop.codes(&second, &["TEN"]).await?, update);
    // Codes already on the cart are not tried again.
    accepted(&shop.codes(&second, &["ten"]).await?, update);
    let one_more = shop.codes(&second, &["TEN", "B1"]).await?;
    assert_eq!(refused(&one_more, update)[0]["code"], "DISCOUNT_INVALID");
    let third = shop.cart_with(&[(0, 1)]).await?;
    let sixth = shop.codes(&third, &["C1"]).await?;
    assert_eq!(refused(&sixth, update)[0]["code"], "DISCOUNT_INVALID");

    // The client's budget is spent, on every cart and over websockets too.
    let limited = shop.codes(&third, &["TEN"]).await?;
    assert_eq!(
        limited.error_code(),
        Some("RATE_LIMITED"),
        "{}",
        limited.body
    );
    assert!(
        limited.body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let mut socket = shop
        .server
        .websocket(WsProtocol::TransportWs, json!({}))
        .await?;
    let over_socket = socket
        .run(
            "1",
            &super::codes_mutation(),
            json!({ "cart": third.to_string(), "codes": ["TEN"] }),
        )
        .await?;
    assert_eq!(
        over_socket["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{over_socket}"
    );
    assert_eq!(
        shop.read(&shop.guest, &third).await?["discountCodes"],
        json!([])
    );

    // Staff who manage discounts are not counted.
    accepted(&shop.codes_as(&shop.admin, third, &["TEN"]).await?, update);
    shop.server.stop().await
}
e2e!(code_attempts_are_budgeted_per_cart_and_per_client);

async fn a_carts_code_budget_holds_across_replicas(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let configure = |config: &mut shopgraph::config::Config| {
        config.cache.redis_url = Some(redis.url.clone());
        config.cache.redis_namespace = redis.namespace.clone();
        config.commerce.discount_code_attempts_per_cart = 3;
        config.commerce.discount_code_window_secs = 86_400;
    };
    let shop = Shop::open(backend, &[2000], configure).await?;
    let other = shop.server.replica(configure).await?;
    let cart = shop.cart_with(&[(0, 1)]).await?;
    let tried = shop.codes(&cart, &["X1", "X2"]).await?;
    assert_eq!(refused(&tried, "cartDiscountCodesUpdate").len(), 2);
    let elsewhere = other
        .graphql(
            &super::codes_mutation(),
            json!({ "cart": cart.to_string(), "codes": ["X3", "X4"] }),
        )
        .await?;
    assert_eq!(
        refused(&elsewhere, "cartDiscountCodesUpdate")[0]["code"],
        "TOO_MANY_ATTEMPTS"
    );
    other.stop().await?;
    shop.server.stop().await?;
    redis.cleanup().await
}
e2e!(a_carts_code_budget_holds_across_replicas);
