//! Totals through the API: shipping, free shipping, tax (exclusive and inclusive), rounding.

use super::*;

async fn totals_add_shipping_below_the_threshold_and_exclusive_tax(
    backend: Backend,
) -> anyhow::Result<()> {
    let (shipping_rates, free_shipping_over) = ("USD=4.95".parse()?, "USD=100.00".parse()?);
    let tax_rate = "8.25".parse()?;
    let shop = Shop::open(backend, &[1999, 333], move |config| {
        config.commerce.shipping_rates = shipping_rates;
        config.commerce.free_shipping_over = free_shipping_over;
        config.commerce.tax_rate = tax_rate;
    })
    .await?;
    // 19.99 × 2 + 3.33 × 3 = 49.97; tax 8.25 % = 4.122525 → 4.12; shipping 4.95.
    let id = shop.cart_with(&[(0, 2), (1, 3)]).await?;
    let cost = shop.read(&shop.guest, &id).await?["cost"].clone();
    assert_eq!(amount(&cost["subtotal"]), "49.97");
    assert_eq!(amount(&cost["discountTotal"]), "0.00");
    assert_eq!(amount(&cost["shippingTotal"]), "4.95");
    assert_eq!(amount(&cost["taxTotal"]), "4.12");
    assert_eq!(amount(&cost["total"]), "59.04");
    assert_eq!(cost["subtotal"]["currencyCode"], "USD");

    // Over the threshold shipping is free: 19.99 × 5 + 9.99 = 109.94; tax 9.070 → 9.07.
    let added = shop.add(&shop.guest, &id, shop.lines(&[(0, 3)])).await?;
    let cost = &accepted(&added, "cartLinesAdd")["cost"];
    assert_eq!(amount(&cost["subtotal"]), "109.94");
    assert_eq!(amount(&cost["shippingTotal"]), "0.00");
    assert_eq!(amount(&cost["taxTotal"]), "9.07");
    assert_eq!(amount(&cost["total"]), "119.01");
    shop.server.stop().await
}
e2e!(totals_add_shipping_below_the_threshold_and_exclusive_tax);

async fn inclusive_tax_is_shown_but_not_added(backend: Backend) -> anyhow::Result<()> {
    let tax_rate = "20".parse()?;
    let shop = Shop::open(backend, &[1200], move |config| {
        config.commerce.tax_rate = tax_rate;
        config.commerce.tax_inclusive = true;
    })
    .await?;
    let id = shop.cart_with(&[(0, 1)]).await?;
    let cost = shop.read(&shop.guest, &id).await?["cost"].clone();
    // 12.00 contains 2.00 of 20 % tax; default shipping 5.00 below the default 50.00.
    assert_eq!(amount(&cost["taxTotal"]), "2.00");
    assert_eq!(amount(&cost["shippingTotal"]), "5.00");
    assert_eq!(amount(&cost["total"]), "17.00");
    shop.server.stop().await
}
e2e!(inclusive_tax_is_shown_but_not_added);

async fn discounts_combine_with_free_shipping_and_tax(backend: Backend) -> anyhow::Result<()> {
    let tax_rate = "7.5".parse()?;
    let shop = Shop::open(backend, &[3333], move |config| {
        config.commerce.tax_rate = tax_rate;
    })
    .await?;
    shop.discount("SAVE15", DiscountKind::Percentage, 1500)
        .await?
        .insert(&shop.db)
        .await?;
    shop.discount("SHIPFREE", DiscountKind::FreeShipping, 0)
        .await?
        .insert(&shop.db)
        .await?;
    // 33.33 × 1 − 15 % (4.9995 → 5.00) = 28.33; tax 7.5 % = 2.12475 → 2.12; no shipping.
    let id = shop.cart_with(&[(0, 1)]).await?;
    let applied = shop.codes(&id, &["save15", "ShipFree"]).await?;
    let cart = accepted(&applied, "cartDiscountCodesUpdate");
    assert_eq!(
        cart["discountCodes"],
        json!([
            { "code": "SAVE15", "applicable": true, "reason": null },
            { "code": "SHIPFREE", "applicable": true, "reason": null }
        ])
    );
    let cost = &cart["cost"];
    assert_eq!(amount(&cost["subtotal"]), "33.33");
    assert_eq!(amount(&cost["discountTotal"]), "5.00");
    assert_eq!(amount(&cost["shippingTotal"]), "0.00");
    assert_eq!(amount(&cost["taxTotal"]), "2.12");
    assert_eq!(amount(&cost["total"]), "30.45");
    shop.server.stop().await
}
e2e!(discounts_combine_with_free_shipping_and_tax);
