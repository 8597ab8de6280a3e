//! Every built-in mail renders (with the context `content` builds), text without escaping,
//! HTML escaped, and a file in the override directory replaces its built-in.

use super::*;
use serde_json::json;

fn order() -> serde_json::Value {
    json!({
        "id": "0190b6c2-0000-7000-8000-000000000001",
        "number": 1042,
        "email": "ann@example.com",
        "status_url": "https://shop.example/orders/1?key=ok_x",
        "currency": "USD",
        "subtotal": "20.00 USD",
        "has_discount": true,
        "discount_total": "2.00 USD",
        "discount_code": "SAVE10",
        "shipping_total": "5.00 USD",
        "shipping_method": "Standard",
        "tax_total": "0.00 USD",
        "total": "23.00 USD",
        "lines": [{
            "product_name": "Fish & Chips <Deluxe>",
            "variant_name": "Large",
            "sku": "FC-L",
            "quantity": 2,
            "unit_price": "10.00 USD",
            "total": "20.00 USD",
        }],
        "shipping_address": ["Ann Lee", "1 Main St", "12345 Springfield", "US"],
    })
}

fn shop() -> serde_json::Value {
    json!({ "name": "Test Shop", "url": "https://shop.example" })
}

fn shipment() -> serde_json::Value {
    json!({
        "tracking_company": "UPS",
        "tracking_number": "1Z999",
        "tracking_url": "https://track.example/1Z999",
        "lines": [{ "product_name": "Fish & Chips <Deluxe>", "variant_name": "Large", "sku": "FC-L", "quantity": 2 }],
    })
}

/// Each mail with the context its kind gets.
fn every_mail() -> Vec<(&'static str, serde_json::Value)> {
    let mut mails = vec![
        ("order_confirmation", json!({ "order": order() })),
        ("payment_received", json!({ "order": order() })),
        (
            "order_shipped",
            json!({ "order": order(), "shipment": shipment(), "complete": true }),
        ),
        (
            "order_shipped",
            json!({ "order": order(), "shipment": shipment(), "complete": false }),
        ),
        (
            "order_delivered",
            json!({ "order": order(), "shipment": shipment(), "complete": false }),
        ),
        (
            "order_delivered",
            json!({ "order": order(), "shipment": null, "complete": true }),
        ),
        (
            "refund_issued",
            json!({ "order": order(), "refund": { "amount": "5.00 USD", "reason": "damaged" } }),
        ),
        ("refund_issued", json!({ "order": order(), "refund": null })),
        (
            "back_in_stock",
            json!({
                "product": { "name": "Tea", "variant_name": "Green", "sku": "T-G", "url": "https://shop.example/products/tea" },
                "unsubscribe_url": "https://shop.example/unsubscribe?token=u1.x.y",
            }),
        ),
        (
            "abandoned_cart",
            json!({
                "cart": { "url": "https://shop.example/cart/c1", "lines": [{ "product_name": "Tea", "variant_name": "Green", "sku": "T-G", "quantity": 1 }] },
                "unsubscribe_url": "https://shop.example/unsubscribe?token=u1.x.y",
            }),
        ),
        (
            "password_reset",
            json!({ "reset_url": "https://shop.example/reset?t=abc", "valid_for_minutes": 30 }),
        ),
        (
            "staff_invitation",
            json!({ "accept_url": "https://shop.example/invite?t=abc", "invited_by": "Bo", "valid_for_hours": 72 }),
        ),
        (
            "staff_invitation",
            json!({ "accept_url": "https://shop.example/invite?t=abc", "invited_by": null, "valid_for_hours": 72 }),
        ),
    ];
    for step in ["requested", "approved", "declined", "received"] {
        mails.push((
            "return_update",
            json!({
                "order": order(),
                "step": step,
                "return": { "decline_reason": "worn", "lines": [{ "product_name": "Tea", "variant_name": "Green", "sku": "T-G", "quantity": 1, "reason": "too big" }] },
            }),
        ));
    }
    mails.push((
        "return_update",
        json!({ "order": order(), "step": "approved", "return": null }),
    ));
    for (_, context) in &mut mails {
        context["shop"] = shop();
    }
    mails
}

#[test]
fn every_built_in_mail_renders_with_a_subject_a_text_and_an_html_part() {
    let templates = Templates::new(None);
    for (name, context) in every_mail() {
        let rendered = templates
            .render(name, &context)
            .unwrap_or_else(|err| panic!("{name}: {err:#}"));
        assert!(!rendered.subject.is_empty(), "{name}");
        assert!(!rendered.subject.contains('\n'), "{name}");
        assert!(!rendered.text.starts_with("Subject:"), "{name}");
        assert!(rendered.html.contains("Test Shop"), "{name}");
        assert!(rendered.text.contains("Test Shop"), "{name}");
        let marketing = context.get("unsubscribe_url").is_some();
        assert_eq!(
            rendered.text.contains("unsubscribe?token="),
            marketing,
            "{name}"
        );
        assert_eq!(
            rendered.html.contains("unsubscribe?token="),
            marketing,
            "{name}"
        );
    }
}

#[test]
fn order_mails_show_the_number_lines_totals_and_link() {
    let templates = Templates::new(None);
    let context = json!({ "order": order(), "shop": shop() });
    let rendered = templates.render("order_confirmation", &context).unwrap();
    assert_eq!(rendered.subject, "Order #1042 confirmed");
    assert!(
        rendered
            .text
            .contains("2 × Fish & Chips <Deluxe> (Large), FC-L: 20.00 USD")
    );
    assert!(rendered.text.contains("Discount (SAVE10): -2.00 USD"));
    assert!(rendered.text.contains("Total: 23.00 USD"));
    assert!(
        rendered
            .text
            .contains("https://shop.example/orders/1?key=ok_x")
    );
    // HTML escapes what shoppers and staff typed; text does not.
    assert!(rendered.html.contains("Fish &amp; Chips &lt;Deluxe&gt;"));
    assert!(!rendered.html.contains("<Deluxe>"));
}

#[test]
fn the_shipped_mail_carries_the_tracking() {
    let templates = Templates::new(None);
    let context =
        json!({ "order": order(), "shipment": shipment(), "complete": true, "shop": shop() });
    let rendered = templates.render("order_shipped", &context).unwrap();
    assert_eq!(rendered.subject, "Order #1042 has shipped");
    assert!(rendered.text.contains("Tracking (UPS): 1Z999"));
    assert!(rendered.text.contains("https://track.example/1Z999"));
    // Escaped in the attribute as everywhere (`/` too); a mail reader decodes it.
    let html = rendered.html.replace("&#x2f;", "/");
    assert!(html.contains("href=\"https://track.example/1Z999\""));
}

#[test]
fn a_file_in_the_override_directory_replaces_its_built_in_only() {
    let dir = std::env::temp_dir().join(format!("shopgraph-mail-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("order_confirmation.txt"),
        "Subject: Thanks for order {{ order.number }}!\n\nCustom body {{ order.total }}\n",
    )
    .unwrap();
    let templates = Templates::new(Some(dir.clone()));
    let context = json!({ "order": order(), "shop": shop() });
    let rendered = templates.render("order_confirmation", &context).unwrap();
    assert_eq!(rendered.subject, "Thanks for order 1042!");
    assert_eq!(rendered.text.trim(), "Custom body 23.00 USD");
    // The HTML part was not overridden.
    assert!(rendered.html.contains("View your order"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_text_template_without_a_subject_line_is_refused() {
    assert_eq!(split_subject("Hello\n\nbody"), None);
    assert_eq!(split_subject("Subject:   \n\nbody"), None);
    assert_eq!(
        split_subject("\nSubject: Hi there \n\n\nbody\n"),
        Some(("Hi there".to_owned(), "body\n".to_owned()))
    );
}

#[test]
fn a_misspelt_variable_fails_the_mail_instead_of_leaving_a_hole() {
    let dir = std::env::temp_dir().join(format!("shopgraph-mail-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("payment_received.txt"),
        "Subject: {{ order.numbr }}\n\nx",
    )
    .unwrap();
    let templates = Templates::new(Some(dir.clone()));
    let context = json!({ "order": order(), "shop": shop() });
    assert!(templates.render("payment_received", &context).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
