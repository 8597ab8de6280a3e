//! Shipping zones and methods (SPEC §8 "Shipping"): staff set them up, a cart is offered the
//! methods of its address's zone priced in its currency, the buyer chooses, and checkout
//! refuses a choice that no longer applies rather than charging something else.

use super::money::user_error_code;
use super::*;
use e2e::VariantSpec;
use std::time::{Duration, Instant};

const METHOD: &str = "id name price { amount currencyCode } freeAbove { amount } cost { amount currencyCode } minDeliveryDays maxDeliveryDays";

fn cart_fields() -> String {
    format!(
        "id cost {{ shippingTotal {{ amount }} total {{ amount currencyCode }} }} availableShippingMethods {{ {METHOD} }} shippingMethod {{ {METHOD} }}"
    )
}

/// A method's price as staff give it: (currency, price, free above).
type PriceSetup<'a> = (&'a str, &'a str, Option<&'a str>);
/// A method: (name, prices, delivery days).
type MethodSetup<'a> = (&'a str, &'a [PriceSetup<'a>], Option<(i32, i32)>);

/// A zone with its methods, as staff create them.
struct ZoneSetup<'a> {
    name: &'a str,
    countries: &'a [&'a str],
    methods: &'a [MethodSetup<'a>],
}

impl Shop {
    /// Creates the zone and its methods; returns the method ids by name.
    async fn zone(&self, setup: ZoneSetup<'_>) -> anyhow::Result<Vec<(String, Value)>> {
        let zone = self
            .admin
            .mutate_ok(
                "mutation($input: ShippingZoneCreateInput!) { shippingZoneCreate(input: $input) { shippingZone { id name countries } userErrors { field code message } } }",
                json!({ "input": { "name": setup.name, "countries": setup.countries } }),
            )
            .await?;
        let zone_id = zone["shippingZone"]["id"].clone();
        let mut ids = Vec::new();
        for (name, prices, days) in setup.methods {
            let prices: Vec<Value> = prices
                .iter()
                .map(|(currency, price, free)| {
                    json!({ "currencyCode": currency, "price": price, "freeAbove": free })
                })
                .collect();
            let created = self
                .admin
                .mutate_ok(
                    "mutation($input: ShippingMethodCreateInput!) { shippingMethodCreate(input: $input) { shippingMethod { id name active } userErrors { field code message } } }",
                    json!({ "input": {
                        "zoneId": zone_id, "name": name, "prices": prices,
                        "minDeliveryDays": days.map(|d| d.0), "maxDeliveryDays": days.map(|d| d.1),
                    } }),
                )
                .await?;
            ids.push(((*name).to_owned(), created["shippingMethod"]["id"].clone()));
        }
        Ok(ids)
    }

    /// A guest cart in `currency` with `quantity` of `variant`, shipping to `country`.
    async fn cart_to(
        &self,
        currency: &str,
        variant: impl Display,
        quantity: i32,
        country: &str,
    ) -> anyhow::Result<Value> {
        let query = format!(
            "mutation($input: CartCreateInput) {{ cartCreate(input: $input) {{ cart {{ {} }} userErrors {{ field code message }} }} }}",
            cart_fields()
        );
        let input = json!({
            "currencyCode": currency,
            "lines": [{ "variantId": variant.to_string(), "quantity": quantity }],
            "buyerIdentity": { "email": "buyer@example.com", "shippingAddress": address(country) },
        });
        Ok(self
            .guest
            .mutate_ok(&query, json!({ "input": input }))
            .await?["cart"]
            .clone())
    }

    async fn choose(&self, cart: &Value, method: &Value) -> anyhow::Result<Value> {
        let query = format!(
            "mutation($cart: ID!, $method: ID!) {{ cartShippingMethodUpdate(cartId: $cart, shippingMethodId: $method) {{ cart {{ {} }} userErrors {{ field code message }} }} }}",
            cart_fields()
        );
        self.guest
            .mutate(&query, json!({ "cart": cart["id"], "method": method }))
            .await
    }

    async fn ship_to(&self, cart: &Value, country: &str) -> anyhow::Result<Value> {
        let query = format!(
            "mutation($cart: ID!, $buyer: CartBuyerIdentityInput!) {{ cartBuyerIdentityUpdate(cartId: $cart, buyerIdentity: $buyer) {{ cart {{ {} }} userErrors {{ field code message }} }} }}",
            cart_fields()
        );
        let buyer = json!({ "shippingAddress": address(country) });
        Ok(self
            .guest
            .mutate_ok(&query, json!({ "cart": cart["id"], "buyer": buyer }))
            .await?["cart"]
            .clone())
    }
}

fn address(country: &str) -> Value {
    json!({ "address1": "1 Main St", "city": "Springfield", "zip": "12345", "countryCode": country })
}

fn names(cart: &Value) -> Vec<&str> {
    cart["availableShippingMethods"]
        .as_array()
        .map(|methods| methods.iter().filter_map(|m| m["name"].as_str()).collect())
        .unwrap_or_default()
}

fn shipping_total(cart: &Value) -> &str {
    cart["cost"]["shippingTotal"]["amount"]
        .as_str()
        .unwrap_or_default()
}

fn id_of<'a>(ids: &'a [(String, Value)], name: &str) -> &'a Value {
    &ids.iter().find(|(n, _)| n == name).expect("created").1
}

async fn shipping_follows_the_zone_and_the_currency_and_checkout_refuses_a_stale_choice(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[], |_| {}).await?;
    let lamp = shop
        .admin
        .product("Lamp")
        .variant(
            VariantSpec::new("LAMP")
                .price("USD", 2000)
                .price("EUR", 1800)
                .stock(shop.warehouse, 10),
        )
        .create()
        .await?;
    let lamp = lamp.variants[0].id;
    let europe = shop
        .zone(ZoneSetup {
            name: "Europe",
            countries: &["DE", "FR"],
            methods: &[
                (
                    "Standard",
                    &[("EUR", "4.90", Some("60.00")), ("USD", "5.50", None)],
                    Some((3, 5)),
                ),
                ("Express", &[("EUR", "12.00", None)], Some((1, 2))),
            ],
        })
        .await?;
    let america = shop
        .zone(ZoneSetup {
            name: "North America",
            countries: &["US", "CA"],
            methods: &[("Ground", &[("USD", "7.00", Some("100.00"))], None)],
        })
        .await?;

    // A euro cart to Germany: the European methods in euros, cheapest first, none chosen yet.
    let cart = shop.cart_to("EUR", lamp, 1, "de").await?;
    assert_eq!(names(&cart), ["Standard", "Express"]);
    let standard = &cart["availableShippingMethods"][0];
    assert_eq!(
        standard["price"],
        json!({ "amount": "4.90", "currencyCode": "EUR" })
    );
    assert_eq!(standard["freeAbove"]["amount"], "60.00");
    assert_eq!(standard["cost"]["amount"], "4.90");
    assert_eq!(
        (
            standard["minDeliveryDays"].clone(),
            standard["maxDeliveryDays"].clone()
        ),
        (json!(3), json!(5))
    );
    assert_eq!(cart["shippingMethod"], Value::Null);
    assert_eq!(shipping_total(&cart), "0.00");
    let refused = shop
        .checkout(
            &shop.guest,
            &cart["id"].as_str().unwrap_or_default(),
            "k1",
            Value::Null,
        )
        .await?;
    let errors = checkout_errors(&refused);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["field"], json!(["cart", "shippingMethod"]));
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("choose a shipping method")
    );

    // The same lamp in dollars to Germany: only what is priced in dollars; to the US, Ground.
    let dollars = shop.cart_to("USD", lamp, 1, "DE").await?;
    assert_eq!(names(&dollars), ["Standard"]);
    assert_eq!(
        dollars["availableShippingMethods"][0]["price"]["amount"],
        "5.50"
    );
    let to_us = shop.cart_to("USD", lamp, 1, "US").await?;
    assert_eq!(names(&to_us), ["Ground"]);
    assert_eq!(
        to_us["availableShippingMethods"][0]["cost"]["amount"],
        "7.00"
    );

    // Choosing prices the cart: 18.00 + 12.00.
    let chosen = shop.choose(&cart, id_of(&europe, "Express")).await?;
    assert_eq!(chosen["userErrors"], json!([]));
    let chosen = &chosen["cart"];
    assert_eq!(chosen["shippingMethod"]["name"], "Express");
    assert_eq!(shipping_total(chosen), "12.00");
    assert_eq!(
        chosen["cost"]["total"],
        json!({ "amount": "30.00", "currencyCode": "EUR" })
    );

    // A method of another zone, or no method at all, is refused and changes nothing.
    let ground = shop.choose(&cart, id_of(&america, "Ground")).await?;
    assert_eq!(user_error_code(&ground), "SHIPPING_METHOD_UNAVAILABLE");
    assert!(
        ground["userErrors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("DE")
    );
    let nonsense = shop.choose(&cart, &json!("express")).await?;
    assert_eq!(user_error_code(&nonsense), "SHIPPING_METHOD_UNAVAILABLE");
    let flat = shop.choose(&cart, &json!("flat-rate")).await?;
    assert_eq!(
        user_error_code(&flat),
        "SHIPPING_METHOD_UNAVAILABLE",
        "zones replace the flat rate"
    );
    assert_eq!(
        shop.read(&shop.guest, cart["id"].as_str().unwrap_or_default())
            .await?["cost"]["shippingTotal"]["amount"],
        "12.00"
    );

    // The address moves to a country no method serves in euros: nothing is offered, nothing
    // charged, and checkout refuses with a clear error instead of charging something else.
    let moved = shop.ship_to(&cart, "US").await?;
    assert_eq!(names(&moved), Vec::<&str>::new());
    assert_eq!(moved["shippingMethod"], Value::Null);
    assert_eq!(shipping_total(&moved), "0.00");
    let cart_id = cart["id"].as_str().unwrap_or_default().to_owned();
    let refused = shop
        .checkout(&shop.guest, &cart_id, "k2", Value::Null)
        .await?;
    let errors = checkout_errors(&refused);
    assert_eq!(
        errors[0]["code"], "SHIPPING_METHOD_UNAVAILABLE",
        "{errors:?}"
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("US")
    );
    assert_eq!(
        shop.stock_of_variant(lamp).await?,
        (10, 0),
        "nothing allocated"
    );

    // France is in the zone again: the choice applies again and the order costs what the cart
    // showed, recording the method.
    let back = shop.ship_to(&cart, "FR").await?;
    assert_eq!(back["shippingMethod"]["name"], "Express");
    assert_eq!(back["cost"]["total"]["amount"], "30.00");
    let order = placed(
        &shop
            .checkout(&shop.guest, &cart_id, "k3", Value::Null)
            .await?,
    )
    .clone();
    assert_eq!(order["shippingTotal"]["amount"], "12.00");
    assert_eq!(order["total"]["amount"], "30.00");
    let recorded = shop
        .admin
        .graphql(
            "query($id: ID!) { order(id: $id) { shippingMethod { id name } } }",
            json!({ "id": order["id"] }),
        )
        .await?;
    assert_eq!(
        recorded.data()["order"]["shippingMethod"],
        json!({ "id": id_of(&europe, "Express"), "name": "Express" })
    );
    shop.server.stop().await
}
e2e!(shipping_follows_the_zone_and_the_currency_and_checkout_refuses_a_stale_choice);

async fn thresholds_switched_off_methods_and_deleted_zones(backend: Backend) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[2500], |_| {}).await?;
    let item = shop.items[0].variant;
    let ids = shop
        .zone(ZoneSetup {
            name: "Home",
            countries: &["US"],
            methods: &[
                ("Ground", &[("USD", "6.00", Some("50.00"))], Some((2, 4))),
                ("Overnight", &[("USD", "25.00", None)], Some((1, 1))),
            ],
        })
        .await?;
    // 25.00: below the threshold; 2 × 25.00 reaches it and Ground costs nothing.
    let one = shop.cart_to("USD", item, 1, "US").await?;
    assert_eq!(one["availableShippingMethods"][0]["cost"]["amount"], "6.00");
    let two = shop.cart_to("USD", item, 2, "US").await?;
    assert_eq!(names(&two), ["Ground", "Overnight"]);
    assert_eq!(two["availableShippingMethods"][0]["cost"]["amount"], "0.00");
    assert_eq!(
        two["availableShippingMethods"][1]["cost"]["amount"],
        "25.00"
    );
    let chosen = shop.choose(&two, id_of(&ids, "Ground")).await?;
    assert_eq!(shipping_total(&chosen["cart"]), "0.00");
    assert_eq!(chosen["cart"]["cost"]["total"]["amount"], "50.00");

    // Staff switch Overnight off: carts no longer see it, and one that chose it must choose
    // again.
    let overnight = shop.choose(&one, id_of(&ids, "Overnight")).await?;
    assert_eq!(shipping_total(&overnight["cart"]), "25.00");
    let off = shop
        .admin
        .mutate_ok(
            "mutation($id: ID!) { shippingMethodUpdate(id: $id, input: { active: false, maxDeliveryDays: 2 }) { shippingMethod { active minDeliveryDays maxDeliveryDays } userErrors { field code message } } }",
            json!({ "id": id_of(&ids, "Overnight") }),
        )
        .await?;
    assert_eq!(
        off["shippingMethod"],
        json!({ "active": false, "minDeliveryDays": 1, "maxDeliveryDays": 2 })
    );
    let one_id = one["id"].as_str().unwrap_or_default().to_owned();
    let now = shop.read(&shop.guest, &one_id).await?;
    assert_eq!(now["cost"]["shippingTotal"]["amount"], "0.00");
    let refused = shop
        .checkout(&shop.guest, &one_id, "k", Value::Null)
        .await?;
    let errors = checkout_errors(&refused);
    assert_eq!(
        errors[0]["code"], "SHIPPING_METHOD_UNAVAILABLE",
        "{errors:?}"
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no longer")
    );

    // Deleting the zone takes its methods; with no zone left the built-in flat rate is back.
    let zones = shop
        .admin
        .graphql("{ shippingZones { id methods { name } } }", json!({}))
        .await?;
    let zone_id = zones.data()["shippingZones"][0]["id"].clone();
    assert_eq!(
        zones.data()["shippingZones"][0]["methods"],
        json!([{ "name": "Ground" }, { "name": "Overnight" }])
    );
    shop.admin
        .mutate_ok(
            "mutation($id: ID!) { shippingZoneDelete(id: $id) { deletedShippingZoneId userErrors { field code message } } }",
            json!({ "id": zone_id }),
        )
        .await?;
    let flat = shop.read_shipping(&one_id).await?;
    assert_eq!(
        flat["availableShippingMethods"],
        json!([{ "id": "flat-rate", "name": "Standard shipping", "cost": { "amount": "5.00" } }])
    );
    assert_eq!(flat["shippingMethod"]["id"], "flat-rate");
    placed(
        &shop
            .checkout(&shop.guest, &one_id, "k2", Value::Null)
            .await?,
    );
    shop.server.stop().await
}
e2e!(thresholds_switched_off_methods_and_deleted_zones);

async fn only_settings_staff_change_shipping_and_bad_input_changes_nothing(
    backend: Backend,
) -> anyhow::Result<()> {
    let shop = Shop::open(backend, &[1000], |_| {}).await?;
    let alice = shop.server.customer("alice@example.com").await?;
    let create = "mutation($input: ShippingZoneCreateInput!) { shippingZoneCreate(input: $input) { shippingZone { id } userErrors { field code message } } }";
    let forbidden = alice
        .graphql(
            create,
            json!({ "input": { "name": "Mine", "countries": ["US"] } }),
        )
        .await?;
    assert_eq!(
        forbidden.error_code(),
        Some("FORBIDDEN"),
        "{}",
        forbidden.body
    );
    let listing = shop
        .guest
        .graphql("{ shippingZones { id } }", json!({}))
        .await?;
    assert!(listing.error_code().is_some(), "{}", listing.body);

    let bad_zone = shop
        .admin
        .mutate(
            create,
            json!({ "input": { "name": " ", "countries": ["Germany"] } }),
        )
        .await?;
    let fields: Vec<&Value> = bad_zone["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"])
        .collect();
    assert_eq!(
        fields,
        [&json!(["input", "name"]), &json!(["input", "countries"])]
    );

    let ids = shop
        .zone(ZoneSetup {
            name: "Home",
            countries: &["US"],
            methods: &[],
        })
        .await?;
    assert!(ids.is_empty());
    let zones = shop
        .admin
        .graphql("{ shippingZones { id countries } }", json!({}))
        .await?;
    let zone_id = zones.data()["shippingZones"][0]["id"].clone();
    let method = "mutation($input: ShippingMethodCreateInput!) { shippingMethodCreate(input: $input) { shippingMethod { id } userErrors { field code message } } }";
    let bad_method = shop
        .admin
        .mutate(
            method,
            json!({ "input": {
                "zoneId": zone_id, "name": "Ground",
                "prices": [{ "currencyCode": "USD", "price": "-1.00" }, { "currencyCode": "USD", "price": "2.00" }, { "currencyCode": "JPY", "price": "1.5" }],
                "minDeliveryDays": 5, "maxDeliveryDays": 2,
            } }),
        )
        .await?;
    let fields: Vec<&Value> = bad_method["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"])
        .collect();
    assert_eq!(
        fields,
        [
            &json!(["input", "prices", "0", "price"]),
            &json!(["input", "prices", "1", "currencyCode"]),
            &json!(["input", "prices", "2", "price"]),
            &json!(["input", "maxDeliveryDays"]),
        ]
    );
    let unknown_zone = shop
        .admin
        .mutate(
            method,
            json!({ "input": { "zoneId": uuid::Uuid::now_v7().to_string(), "name": "X", "prices": [{ "currencyCode": "USD", "price": "1.00" }] } }),
        )
        .await?;
    assert_eq!(user_error_code(&unknown_zone), "NOT_FOUND");
    let zones = shop
        .admin
        .graphql("{ shippingZones { methods { id } } }", json!({}))
        .await?;
    assert_eq!(
        zones.data()["shippingZones"],
        json!([{ "methods": [] }]),
        "nothing was created"
    );

    // A zone without any method serves nobody: checkout to the US asks to change the address.
    let cart = shop.cart_to("USD", shop.items[0].variant, 1, "US").await?;
    let refused = shop
        .checkout(
            &shop.guest,
            cart["id"].as_str().unwrap_or_default(),
            "k",
            Value::Null,
        )
        .await?;
    assert_eq!(
        checkout_errors(&refused)[0]["code"],
        "SHIPPING_METHOD_UNAVAILABLE"
    );
    shop.server.stop().await
}
e2e!(only_settings_staff_change_shipping_and_bad_input_changes_nothing);

impl Shop {
    async fn read_shipping(&self, cart: &str) -> anyhow::Result<Value> {
        let response = self
            .guest
            .graphql(
                "query($id: ID!) { cart(id: $id) { availableShippingMethods { id name cost { amount } } shippingMethod { id } } }",
                json!({ "id": cart }),
            )
            .await?;
        Ok(response.data()["cart"].clone())
    }
}

/// The shipping methods `client` sees on `cart`, by name.
async fn methods_seen(client: &e2e::Client, cart: &str) -> anyhow::Result<Vec<String>> {
    let response = client
        .graphql(
            "query($id: ID!) { cart(id: $id) { availableShippingMethods { name price { amount } } } }",
            json!({ "id": cart }),
        )
        .await?;
    Ok(response.data()["cart"]["availableShippingMethods"]
        .as_array()
        .map(|methods| {
            methods
                .iter()
                .map(|m| {
                    format!(
                        "{} {}",
                        m["name"].as_str().unwrap_or_default(),
                        m["price"]["amount"].as_str().unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Each replica holds the shipping configuration it prices carts with: a change is seen at
/// once by the replica that made it, and by the others when its event reaches them — well
/// before the held configuration would expire by age (`shipping::service::cache::MAX_AGE`).
async fn a_shipping_change_reaches_every_replica(backend: Backend) -> anyhow::Result<()> {
    let Some(redis) = e2e::TestRedis::from_env() else {
        eprintln!("skipped: set TEST_REDIS_URL to run the Redis tests");
        return Ok(());
    };
    let with_redis = |config: &mut shopgraph::config::Config| {
        config.cache.redis_url = Some(redis.url.clone());
        config.cache.redis_namespace = redis.namespace.clone();
    };
    let shop = Shop::open(backend, &[], with_redis).await?;
    let other = shop.server.replica(with_redis).await?;
    let lamp = shop
        .admin
        .product("Lamp")
        .variant(
            VariantSpec::new("LAMP")
                .price("USD", 2000)
                .stock(shop.warehouse, 10),
        )
        .create()
        .await?;
    let lamp = lamp.variants[0].id;

    // A cart viewed on each replica: no zones yet, the flat rate.
    let here = shop.cart_to("USD", lamp, 1, "US").await?;
    let here = here["id"].as_str().unwrap_or_default().to_owned();
    let elsewhere = other.guest();
    for client in [&elsewhere, &shop.guest] {
        let seen = methods_seen(client, &here).await?;
        assert!(
            seen.len() == 1 && seen[0].starts_with("Standard shipping "),
            "{seen:?}"
        );
    }

    // Zones set up through the first replica: it prices with them from its next request on.
    let ids = shop
        .zone(ZoneSetup {
            name: "North America",
            countries: &["US"],
            methods: &[("Ground", &[("USD", "7.00", None)], None)],
        })
        .await?;
    assert_eq!(methods_seen(&shop.guest, &here).await?, ["Ground 7.00"]);

    let seen_elsewhere = |wanted: &'static str| {
        let (elsewhere, here) = (&elsewhere, &here);
        async move {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let seen = methods_seen(elsewhere, here).await?;
                if seen == [wanted] {
                    return anyhow::Ok(());
                }
                anyhow::ensure!(
                    Instant::now() < deadline,
                    "the other replica still shows {seen:?}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    seen_elsewhere("Ground 7.00").await?;

    // A price change too.
    shop.admin
        .mutate_ok(
            "mutation($id: ID!, $input: ShippingMethodUpdateInput!) { shippingMethodUpdate(id: $id, input: $input) { shippingMethod { id } userErrors { field code message } } }",
            json!({ "id": id_of(&ids, "Ground"), "input": { "prices": [{ "currencyCode": "USD", "price": "8.50" }] } }),
        )
        .await?;
    assert_eq!(methods_seen(&shop.guest, &here).await?, ["Ground 8.50"]);
    seen_elsewhere("Ground 8.50").await?;

    other.stop().await?;
    shop.server.stop().await?;
    redis.cleanup().await
}
e2e!(a_shipping_change_reaches_every_replica);
