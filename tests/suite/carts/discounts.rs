//! Discount codes on carts: which are refused, which are kept but not applicable yet.

use super::*;

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
    for code in ["NOPE", "OLD", "SOON", "GONE", "OFF", "EUROS"] {
        let response = shop.codes(&id, &[code]).await?;
        let errors = refused(&response, "cartDiscountCodesUpdate");
        assert_eq!(errors[0]["code"], "DISCOUNT_INVALID", "{code}: {errors:?}");
        assert_eq!(errors[0]["field"], json!(["discountCodes", "0"]));
    }
    assert_eq!(shop.read(None, &id).await?["discountCodes"], json!([]));

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
    let grown = shop.add(None, &id, shop.lines(&[(0, 2)])).await?;
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
