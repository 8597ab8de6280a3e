//! Hostile text in mutation fields: NUL and other control characters, 100,000-character
//! values, blank and invisible-only names — in names, slugs, SKUs, codes, emails,
//! descriptions, options and reasons. Each is refused with a user error on its field.

use super::{
    Battery, CATEGORY_CREATE, CATEGORY_UPDATE, Expect, PRODUCT_CREATE, PRODUCT_UPDATE, PRODUCTS,
    REGISTER, STOCK_ADJUST, VARIANT_CREATE, VARIANT_UPDATE, WAREHOUSE_CREATE, seeded, with,
};
use e2e::{Backend, TestServer, e2e};
use serde_json::{Value, json};

/// Refused in every one-line field (names, brands, option names and values, reasons).
fn bad_lines() -> Vec<(&'static str, String)> {
    vec![
        ("NUL", "Lamp\u{0}".into()),
        ("NUL only", "\u{0}".into()),
        ("BEL", "La\u{7}mp".into()),
        ("ESC (terminal colours)", "\u{1b}[31mRed".into()),
        ("line break", "Lamp\nShade".into()),
        ("tab", "Lamp\tShade".into()),
        ("DEL", "Lamp\u{7f}".into()),
        ("C1 control NEL", "La\u{85}mp".into()),
        ("line separator", "La\u{2028}mp".into()),
        ("whitespace only", " \t \u{a0}\u{3000} ".into()),
        ("zero-width only", "\u{200b}\u{200d}\u{feff}".into()),
        ("empty", String::new()),
        ("100,000 characters", "n".repeat(100_000)),
    ]
}

/// Refused in descriptions (which may hold line breaks and tabs).
fn bad_blocks() -> Vec<(&'static str, String)> {
    vec![
        ("NUL", "Bright.\u{0}".into()),
        ("BEL", "Bright.\u{7}".into()),
        ("ESC", "\u{1b}[2JBright.".into()),
        ("10,001 characters", "d".repeat(10_001)),
    ]
}

/// Refused as slugs and SKUs (each has its own character set; these break every rule).
fn bad_handles() -> Vec<(&'static str, String)> {
    vec![
        ("NUL", "lamp\u{0}".into()),
        ("zero-width space", "lamp\u{200b}".into()),
        ("fullwidth letters", "ｌａｍｐ".into()),
        ("accented", "lämp".into()),
        ("100,000 characters", "l".repeat(100_000)),
    ]
}

async fn hostile_text_is_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::with_admin(backend, PRODUCTS).await?;
    let mut b = Battery::new(&server).await?;
    let ids = seeded(&b).await?;
    let invalid = |field| Expect::UserError("INVALID", field);
    let product = json!({ "name": "Lamp", "slug": "abuse-lamp" });
    let variant =
        json!({ "sku": "ABUSE-1", "prices": [{ "amount": "1.00", "currencyCode": "USD" }] });
    let category = json!({ "name": "Abuse", "slug": "abuse" });
    let warehouse = json!({ "code": "ABUSE", "name": "Abuse" });
    let customer = json!({ "email": "abuse@example.com", "password": "a fine long password" });

    for (what, text) in bad_lines() {
        let t = || Value::from(text.clone());
        #[rustfmt::skip]
        let cases: Vec<(&str, &str, Value, &[&str])> = vec![
            ("product name", PRODUCT_CREATE, json!({ "input": with(&product, "name", t()) }), &["input", "name"]),
            ("product rename", PRODUCT_UPDATE, json!({ "id": ids.product, "input": { "name": t() } }), &["input", "name"]),
            ("variant name", VARIANT_CREATE, json!({ "p": ids.product, "input": with(&variant, "name", t()) }), &["input", "name"]),
            ("variant option name", VARIANT_CREATE, json!({ "p": ids.product, "input": with(&variant, "options", json!([{ "name": t(), "value": "M" }])) }), &["input", "options", "0", "name"]),
            ("variant option value", VARIANT_UPDATE, json!({ "id": ids.variant, "input": { "options": [{ "name": "Size", "value": t() }] } }), &["input", "options", "0", "value"]),
            ("variant rename", VARIANT_UPDATE, json!({ "id": ids.variant, "input": { "name": t() } }), &["input", "name"]),
            ("category name", CATEGORY_CREATE, json!({ "input": with(&category, "name", t()) }), &["input", "name"]),
            ("category rename", CATEGORY_UPDATE, json!({ "id": ids.category, "input": { "name": t() } }), &["input", "name"]),
            ("warehouse name", WAREHOUSE_CREATE, json!({ "input": with(&warehouse, "name", t()) }), &["input", "name"]),
            ("stock adjustment reason", STOCK_ADJUST, json!({ "v": ids.variant, "w": ids.warehouse, "r": t() }), &["reason"]),
        ];
        for (field, query, vars, path) in cases {
            let case = format!("{field}: {what}");
            let expect = invalid(path).or_guard_when_nul(&text);
            b.refused(&case, query, vars, expect).await?;
        }
        // Optional one-line fields: blank means "none", so only the others are refused.
        if !text.trim().is_empty() {
            #[rustfmt::skip]
            let cases: Vec<(&str, &str, Value, &[&str])> = vec![
                ("product brand", PRODUCT_CREATE, json!({ "input": with(&product, "brand", t()) }), &["input", "brand"]),
                ("product brand update", PRODUCT_UPDATE, json!({ "id": ids.product, "input": { "brand": t() } }), &["input", "brand"]),
                ("customer first name", REGISTER, json!({ "input": with(&customer, "firstName", t()) }), &["input", "firstName"]),
                ("customer last name", REGISTER, json!({ "input": with(&customer, "lastName", t()) }), &["input", "lastName"]),
            ];
            for (field, query, vars, path) in cases {
                let case = format!("{field}: {what}");
                let expect = invalid(path).or_guard_when_nul(&text);
                b.refused(&case, query, vars, expect).await?;
            }
        }
    }

    for (what, text) in bad_blocks() {
        let t = || Value::from(text.clone());
        #[rustfmt::skip]
        let cases: Vec<(&str, &str, Value)> = vec![
            ("product description", PRODUCT_CREATE, json!({ "input": with(&product, "description", t()) })),
            ("product description update", PRODUCT_UPDATE, json!({ "id": ids.product, "input": { "description": t() } })),
            ("category description", CATEGORY_CREATE, json!({ "input": with(&category, "description", t()) })),
            ("category description update", CATEGORY_UPDATE, json!({ "id": ids.category, "input": { "description": t() } })),
        ];
        for (field, query, vars) in cases {
            let case = format!("{field}: {what}");
            let expect = invalid(&["input", "description"]).or_guard_when_nul(&text);
            b.refused(&case, query, vars, expect).await?;
        }
    }

    for (what, text) in bad_handles() {
        let t = || Value::from(text.clone());
        #[rustfmt::skip]
        let cases: Vec<(&str, &str, Value, &[&str])> = vec![
            ("product slug", PRODUCT_CREATE, json!({ "input": with(&product, "slug", t()) }), &["input", "slug"]),
            ("product re-slug", PRODUCT_UPDATE, json!({ "id": ids.product, "input": { "slug": t() } }), &["input", "slug"]),
            ("category slug", CATEGORY_CREATE, json!({ "input": with(&category, "slug", t()) }), &["input", "slug"]),
            ("SKU", VARIANT_CREATE, json!({ "p": ids.product, "input": with(&variant, "sku", t()) }), &["input", "sku"]),
            ("SKU change", VARIANT_UPDATE, json!({ "id": ids.variant, "input": { "sku": t() } }), &["input", "sku"]),
            ("warehouse code", WAREHOUSE_CREATE, json!({ "input": with(&warehouse, "code", t()) }), &["input", "code"]),
        ];
        for (field, query, vars, path) in cases {
            let case = format!("{field}: {what}");
            let expect = invalid(path).or_guard_when_nul(&text);
            b.refused(&case, query, vars, expect).await?;
        }
    }

    for (what, email) in [
        ("NUL", "abuse\u{0}@example.com".to_owned()),
        ("line break", "abuse\n@example.com".to_owned()),
        (
            "100,000 characters",
            format!("{}@example.com", "e".repeat(100_000)),
        ),
    ] {
        let vars = json!({ "input": with(&customer, "email", json!(email)) });
        let case = format!("customer email: {what}");
        let expect = invalid(&["input", "email"]).or_guard_when_nul(&email);
        b.refused(&case, REGISTER, vars, expect).await?;
    }

    // NUL inside the document's own string literal, not in a variable.
    let literal = "mutation { productCreate(input: { name: \"Lamp\\u0000\", slug: \"abuse-lamp\" }) { product { id } userErrors { field code message } } }";
    let expect = invalid(&["input", "name"]).or_guard_when_nul("\0");
    b.refused("NUL in a literal", literal, json!({}), expect)
        .await?;

    b.finish()?;
    server.stop().await
}
e2e!(hostile_text_is_refused);
