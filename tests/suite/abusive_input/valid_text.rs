//! Unusual but valid text is accepted and kept exactly, byte for byte: emoji (with joiners
//! and flags), combining marks, right-to-left scripts and bidi controls, zero-width
//! characters between visible ones, astral-plane letters, names exactly at the length limit.

use super::{
    Battery, CATEGORY_CREATE, PRODUCT_CREATE, PRODUCT_UPDATE, PRODUCTS, REGISTER, WAREHOUSE_CREATE,
    payload, seeded, short,
};
use e2e::{Backend, TestServer, e2e};
use entities::{category, customer, product, product_variant, warehouse};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

fn valid_texts() -> Vec<(&'static str, String)> {
    vec![
        ("emoji with joiners and flags", "Café ☕ 👩‍👩‍👧‍👦 🇫🇷 🏳️‍🌈".into()),
        (
            "combining marks",
            "Cre\u{300}me bru\u{302}le\u{301}e Z\u{324}\u{354}\u{367}\u{311}a\u{308}\u{356}".into(),
        ),
        ("right-to-left scripts", "שלום עולם مرحبا بالعالم".into()),
        ("bidi override", "lamp \u{202e}pmal\u{202c} lamp".into()),
        (
            "zero-width inside",
            "zero\u{200b}width\u{200c}non\u{200d}joiner".into(),
        ),
        ("CJK and fullwidth", "日本語の商品 ＬＡＭＰ".into()),
        ("astral plane", "𝕷𝖆𝖒𝖕 𓂀 𠜎".into()),
        (
            "replacement and private use",
            "\u{fffd}\u{e000} \u{fdd0}".into(),
        ),
        ("255 emoji", "😀".repeat(255)),
        ("255 accented letters", "é".repeat(255)),
    ]
}

/// The longest prefix of `text` with at most `max` characters.
fn at_most(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

async fn valid_unicode_round_trips(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let mut b = Battery::new(&server).await?;
    let ids = seeded(&b).await?;
    let db = &server.app.app.db;
    let description = "Line one\r\nLine two\n\tIndented — 🎉 \u{202e}x\u{202c}".to_owned();

    for (i, (what, text)) in valid_texts().into_iter().enumerate() {
        let brand = at_most(&text, 128);
        let input = json!({
            "name": text, "slug": format!("valid-{i}"), "description": description,
            "brand": brand,
            "variants": [{ "sku": format!("VALID-{i}"), "name": text,
                "options": [{ "name": text, "value": text }],
                "prices": [{ "amount": "1.00", "currencyCode": "USD" }] }]
        });
        let case = format!("product: {what}");
        let r = b.send(PRODUCT_CREATE, json!({ "input": input })).await?;
        b.check_clean(&case, &r);
        let p = payload(&r)["product"].clone();
        let variant = &p["variants"][0];
        let expected = json!({
            "name": text, "description": description, "brand": brand,
            "variant": text, "option": [text, text]
        });
        let answered = json!({
            "name": p["name"], "description": p["description"], "brand": p["brand"],
            "variant": variant["name"],
            "option": [variant["selectedOptions"][0]["name"], variant["selectedOptions"][0]["value"]]
        });
        if answered != expected {
            b.fail(&case, format!("answered {}", short(&r.body)));
            continue;
        }
        let slug = format!("valid-{i}");
        let stored = product::Entity::find()
            .filter(product::Column::Slug.eq(&slug))
            .one(db)
            .await?;
        let stored_variant = product_variant::Entity::find()
            .filter(product_variant::Column::Sku.eq(format!("VALID-{i}")))
            .one(db)
            .await?;
        let stored = stored.zip(stored_variant).map(|(p, v)| {
            let option = v
                .options
                .0
                .first()
                .map(|o| (o.name.clone(), o.value.clone()));
            (p.name, p.description, p.brand, v.name, option)
        });
        let wanted = (
            text.clone(),
            Some(description.clone()),
            Some(brand.clone()),
            text.clone(),
            Some((text.clone(), text.clone())),
        );
        if stored.as_ref() != Some(&wanted) {
            b.fail(&case, format!("stored {stored:?}"));
        }
        let read = b
            .send(
                "query($s: String!) { product(slug: $s) { name } }",
                json!({ "s": slug }),
            )
            .await?;
        if read.body["data"]["product"]["name"] != text {
            b.fail(&case, format!("read back {}", short(&read.body)));
        }

        // Renaming to it keeps it exactly too.
        let vars = json!({ "id": ids.product, "input": { "name": text } });
        let r = b.send(PRODUCT_UPDATE, vars).await?;
        b.check_clean(&format!("rename: {what}"), &r);
        if payload(&r)["product"]["name"] != text {
            b.fail(&format!("rename: {what}"), short(&r.body));
        }

        let input =
            json!({ "name": text, "slug": format!("valid-{i}"), "description": description });
        let r = b.send(CATEGORY_CREATE, json!({ "input": input })).await?;
        b.check_clean(&format!("category: {what}"), &r);
        let stored = category::Entity::find()
            .filter(category::Column::Slug.eq(format!("valid-{i}")))
            .one(db)
            .await?
            .map(|c| (c.name, c.description));
        if stored != Some((text.clone(), Some(description.clone()))) {
            let answer = short(&r.body);
            b.fail(
                &format!("category: {what}"),
                format!("{answer}; stored {stored:?}"),
            );
        }

        let input = json!({ "code": format!("VALID-{i}"), "name": text });
        let r = b.send(WAREHOUSE_CREATE, json!({ "input": input })).await?;
        b.check_clean(&format!("warehouse: {what}"), &r);
        let stored = warehouse::Entity::find()
            .filter(warehouse::Column::Code.eq(format!("VALID-{i}")))
            .one(db)
            .await?
            .map(|w| w.name);
        if stored.as_ref() != Some(&text) {
            let answer = short(&r.body);
            b.fail(
                &format!("warehouse: {what}"),
                format!("{answer}; stored {stored:?}"),
            );
        }

        let name = at_most(&text, 128);
        let email = format!("valid-{i}@example.com");
        let input = json!({ "email": email, "password": "a fine long password", "firstName": name, "lastName": name });
        let r = b.send(REGISTER, json!({ "input": input })).await?;
        b.check_clean(&format!("customer: {what}"), &r);
        let stored = customer::Entity::find()
            .filter(customer::Column::Email.eq(&email))
            .one(db)
            .await?
            .map(|c| (c.first_name, c.last_name));
        if stored != Some((Some(name.clone()), Some(name.clone()))) {
            let answer = short(&r.body);
            b.fail(
                &format!("customer: {what}"),
                format!("{answer}; stored {stored:?}"),
            );
        }
    }
    b.finish()?;
    server.stop().await
}
e2e!(valid_unicode_round_trips);
