//! The shopper's order mail: confirmation (with a link that opens a guest's order), payment,
//! shipment with its tracking (unless staff ship quietly), delivery, refund and returns.

use super::*;
use e2e::OrderAction;

async fn a_guest_order_is_confirmed_by_mail_with_a_link_that_opens_it(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1250, 800], Some(smtp.url()), |_| {}).await?;
    let order = shop.place(&shop.guest, &[(0, 2), (1, 1)]).await?;

    smtp.wait_for(1).await?;
    shop.mail_settled().await?;
    let mails = smtp.received()?;
    assert_eq!(mails.len(), 1, "one mail: {mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.subject, format!("Order #{} confirmed", order.number));
    assert_eq!(mail.to, BUYER_EMAIL);
    assert_eq!(mail.rcpt_to, BUYER_EMAIL, "the envelope's recipient");
    assert!(mail.from.contains("orders@shop.example"), "{}", mail.from);
    assert!(mail.text.contains("Item 0"), "{}", mail.text);
    assert!(mail.text.contains("Total: 38.00 USD"), "{}", mail.text);
    assert!(mail.html.contains(&format!("#{}", order.number)));

    // The status link opens the order for whoever holds the mail, with a key of its own.
    let prefix = format!("{STOREFRONT}/orders/{}?key=", order.id);
    let link = mail.link(&prefix).expect("an order-status link");
    let key = key_of(&link).unwrap();
    assert_ne!(key, order.key, "the mail carries its own key");
    assert_eq!(
        shop.order_id_by_key(key).await?,
        json!(order.id.to_string())
    );

    let jobs = shop.mail_jobs().await?;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].template, "order_confirmation");
    assert_eq!(jobs[0].status, MailJobStatus::Sent);
    assert!(jobs[0].sent_at.is_some());
    assert_eq!(jobs[0].attempts, 1);
    shop.server.stop().await
}
e2e!(a_guest_order_is_confirmed_by_mail_with_a_link_that_opens_it);

async fn a_shipment_is_mailed_with_its_tracking_unless_staff_ship_it_quietly(
    backend: Backend,
) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1000, 2000], Some(smtp.url()), |_| {}).await?;
    let customer = shop.server.customer("ann@example.com").await?;
    let order = shop.place(&customer, &[(0, 1), (1, 1)]).await?;
    let paid = shop
        .admin
        .order_action(OrderAction::MarkPaid, order.id)
        .await?;
    assert_eq!(paid["userErrors"], json!([]), "{paid}");
    let lines = shop
        .admin
        .graphql(
            "query($id: ID!) { order(id: $id) { lines { id sku } } }",
            json!({ "id": order.id.to_string() }),
        )
        .await?
        .data()["order"]["lines"]
        .clone();

    let ship = |line: &Value, tracking: Value| {
        let mut input = tracking;
        input["lines"] = json!([{ "orderLineId": line["id"], "quantity": 1 }]);
        shop.admin.mutate(
            "mutation($id: ID!, $input: FulfillmentCreateInput!) { fulfillmentCreate(orderId: $id, input: $input) { fulfillments { id } userErrors { field code message } } }",
            json!({ "id": order.id.to_string(), "input": input }),
        )
    };
    let first = ship(
        &lines[0],
        json!({ "trackingCompany": "UPS", "trackingNumber": "1Z999AA10123456784", "trackingUrl": "https://track.example/1Z999AA10123456784" }),
    )
    .await?;
    assert_eq!(first["userErrors"], json!([]), "{first}");
    let quiet = ship(
        &lines[1],
        json!({ "trackingNumber": "QUIET-1", "notifyCustomer": false }),
    )
    .await?;
    assert_eq!(quiet["userErrors"], json!([]), "{quiet}");
    shop.mail_settled().await?;

    let mails = smtp.received()?;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!("Order #{} confirmed", order.number),
            format!("Payment received for order #{}", order.number),
            format!("Order #{} has shipped", order.number),
        ],
        "one shipped mail: the second shipment was quiet"
    );
    let shipped = &mails[2];
    // To the order's email (the one given at checkout), not the account's.
    assert_eq!(shipped.to, BUYER_EMAIL);
    assert!(
        shipped.text.contains("Tracking (UPS): 1Z999AA10123456784"),
        "{}",
        shipped.text
    );
    assert!(
        shipped
            .text
            .contains("https://track.example/1Z999AA10123456784")
    );
    assert!(
        shipped.text.contains("part of your order"),
        "{}",
        shipped.text
    );
    assert!(!shipped.text.contains("QUIET-1"));
    // A customer signs in to see the order: the link carries no key.
    let link = shipped.link(&format!("{STOREFRONT}/orders/")).unwrap();
    assert_eq!(link, format!("{STOREFRONT}/orders/{}", order.id));

    // Both parcels arrive: a mail each, the last one says the order is complete.
    let shipments = [
        first["fulfillments"][0]["id"].clone(),
        quiet["fulfillments"][0]["id"].clone(),
    ];
    for shipment in &shipments {
        let done = shop
            .admin
            .mutate(
                "mutation($id: ID!) { fulfillmentMarkDelivered(id: $id) { userErrors { code message } } }",
                json!({ "id": shipment }),
            )
            .await?;
        assert_eq!(done["userErrors"], json!([]), "{done}");
    }
    shop.mail_settled().await?;
    let mails = smtp.received()?;
    let delivered = with_subject(&mails, "was delivered");
    assert_eq!(delivered.len(), 2, "{mails:?}");
    assert!(
        delivered[0].text.contains("A parcel of your order"),
        "{}",
        delivered[0].text
    );
    assert!(
        delivered[1]
            .text
            .contains(&format!("Your order #{} was delivered", order.number))
    );
    shop.server.stop().await
}
e2e!(a_shipment_is_mailed_with_its_tracking_unless_staff_ship_it_quietly);

async fn refunds_and_each_step_of_a_return_are_mailed(backend: Backend) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1000], Some(smtp.url()), |_| {}).await?;
    let order = shop.place(&shop.guest, &[(0, 3)]).await?;
    for action in [OrderAction::MarkPaid, OrderAction::Fulfill] {
        let moved = shop.admin.order_action(action, order.id).await?;
        assert_eq!(moved["userErrors"], json!([]), "{moved}");
    }
    let shipments = shop
        .admin
        .graphql(
            "query($id: ID!) { order(id: $id) { lines { id } fulfillments { id } } }",
            json!({ "id": order.id.to_string() }),
        )
        .await?
        .data()["order"]
        .clone();
    let delivered = shop
        .admin
        .mutate(
            "mutation($id: ID!) { fulfillmentMarkDelivered(id: $id) { userErrors { code message } } }",
            json!({ "id": shipments["fulfillments"][0]["id"] }),
        )
        .await?;
    assert_eq!(delivered["userErrors"], json!([]), "{delivered}");
    let line = shipments["lines"][0]["id"].clone();

    let refund = shop
        .admin
        .mutate(
            "mutation($id: ID!, $input: OrderRefundInput!) { orderRefundCreate(orderId: $id, input: $input, idempotencyKey: \"r1\") { refund { status } userErrors { field code message } } }",
            json!({ "id": order.id.to_string(), "input": { "lines": [], "amount": "2.50", "reason": "late delivery", "restock": false } }),
        )
        .await?;
    assert_eq!(refund["userErrors"], json!([]), "{refund}");

    let step = |query: &'static str, variables: Value| shop.admin.mutate(query, variables);
    let asked = shop
        .guest
        .mutate(
            "mutation($order: ID!, $lines: [ReturnLineInput!]!, $key: String) { returnRequest(orderId: $order, lines: $lines, accessKey: $key) { return { id } userErrors { code message } } }",
            json!({ "order": order.id.to_string(), "key": order.key, "lines": [{ "orderLineId": line, "quantity": 1, "reason": "too small" }] }),
        )
        .await?;
    assert_eq!(asked["userErrors"], json!([]), "{asked}");
    let id = asked["return"]["id"].clone();
    let approved = step(
        "mutation($id: ID!) { returnApprove(id: $id) { userErrors { code message } } }",
        json!({ "id": id }),
    )
    .await?;
    assert_eq!(approved["userErrors"], json!([]), "{approved}");
    let received = step(
        "mutation($id: ID!) { returnReceive(id: $id, restock: true) { userErrors { code message } } }",
        json!({ "id": id }),
    )
    .await?;
    assert_eq!(received["userErrors"], json!([]), "{received}");
    // A second return of another unit, declined with a reason.
    let again = shop
        .guest
        .mutate(
            "mutation($order: ID!, $lines: [ReturnLineInput!]!, $key: String) { returnRequest(orderId: $order, lines: $lines, accessKey: $key) { return { id } userErrors { code message } } }",
            json!({ "order": order.id.to_string(), "key": order.key, "lines": [{ "orderLineId": line, "quantity": 1 }] }),
        )
        .await?;
    assert_eq!(again["userErrors"], json!([]), "{again}");
    let declined = step(
        "mutation($id: ID!) { returnDecline(id: $id, reason: \"worn\") { userErrors { code message } } }",
        json!({ "id": again["return"]["id"] }),
    )
    .await?;
    assert_eq!(declined["userErrors"], json!([]), "{declined}");
    shop.mail_settled().await?;

    let mails = smtp.received()?;
    let n = order.number;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!("Order #{n} confirmed"),
            format!("Payment received for order #{n}"),
            format!("Order #{n} has shipped"),
            format!("Order #{n} was delivered"),
            format!("Refund for order #{n}"),
            format!("Return requested for order #{n}"),
            format!("Return approved for order #{n}"),
            format!("Return received for order #{n}"),
            format!("Return requested for order #{n}"),
            format!("Return declined for order #{n}"),
        ]
    );
    assert!(mails.iter().all(|m| m.to == BUYER_EMAIL));
    assert!(
        mails[4].text.contains("We refunded 2.50 USD"),
        "{}",
        mails[4].text
    );
    assert!(mails[4].text.contains("late delivery"));
    assert!(
        mails[5].text.contains("1 × Item 0 (too small)"),
        "{}",
        mails[5].text
    );
    assert!(mails[9].text.contains("Reason: worn"), "{}", mails[9].text);
    // orderFulfill ships without tracking: the mail says so by saying nothing of it.
    assert!(!mails[2].text.contains("Tracking"), "{}", mails[2].text);
    // Every guest mail's link opens the order; each mail minted one key, checkout another.
    for mail in &mails {
        let link = mail.link(&format!("{STOREFRONT}/orders/")).unwrap();
        let key = key_of(&link).unwrap();
        assert_eq!(
            shop.order_id_by_key(key).await?,
            json!(order.id.to_string()),
            "{}",
            mail.subject
        );
    }
    shop.server.stop().await
}
e2e!(refunds_and_each_step_of_a_return_are_mailed);

async fn a_card_declined_at_checkout_gets_no_confirmation(backend: Backend) -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let shop = Shop::mailing(backend, &[1000], Some(smtp.url()), |_| {}).await?;
    let cart = shop
        .cart_of(&shop.guest, &[(0, 1)])
        .ready()
        .create()
        .await?;
    let declined = shop
        .guest
        .graphql(
            CHECKOUT,
            json!({ "cart": cart.to_string(), "key": "k", "payment": { "provider": "test", "token": "tok_declined" } }),
        )
        .await?;
    let payload = &declined.data()["checkoutComplete"];
    assert_eq!(
        payload["userErrors"][0]["code"], "PAYMENT_DECLINED",
        "{payload}"
    );
    shop.mail_settled().await?;
    assert!(smtp.received()?.is_empty(), "{:?}", smtp.received()?);
    let jobs = shop.mail_jobs().await?;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].template, "order_confirmation");
    assert_eq!(jobs[0].status, MailJobStatus::Skipped);
    shop.server.stop().await
}
e2e!(a_card_declined_at_checkout_gets_no_confirmation);
