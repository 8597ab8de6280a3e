//! The `stripe` provider's capture, void and refund against the stand-in, called directly:
//! the order mutations that will call them are not there yet.

use e2e::stripe::{STRIPE_SECRET_KEY, StripeStandIn};
use schema::common::money::CurrencyCode;
use schema::payments::stripe::{StripeProvider, StripeSettings};
use schema::payments::{
    Authorized, CaptureMode, Done, Operation, Outcome, PaymentProvider, PaymentRequest,
};

fn provider(stripe: &StripeStandIn, key: &str) -> StripeProvider {
    let settings = StripeSettings {
        api_base: stripe.url(),
        ..StripeSettings::new(key)
    };
    StripeProvider::new(&settings).unwrap()
}

/// An authorized (manual capture) or paid payment of `amount` cents; its PaymentIntent id.
async fn pay(stripe: &StripeProvider, method: &str, amount: i64, capture: CaptureMode) -> String {
    let request = PaymentRequest {
        payment_id: uuid::Uuid::new_v4(),
        order_id: uuid::Uuid::new_v4(),
        order_number: 7,
        amount,
        currency: CurrencyCode::Eur,
        token: Some(method),
        capture,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
    };
    match stripe.authorize(request).await {
        Outcome::Succeeded(Authorized {
            reference,
            captured,
        }) => {
            assert_eq!(captured, capture == CaptureMode::Automatic);
            reference
        }
        other => panic!("{method}: {other:?}"),
    }
}

fn operation<'a>(reference: &'a str, amount: i64, key: &str) -> Operation<'a> {
    Operation {
        order_id: uuid::Uuid::nil(),
        refund_id: None,
        reference: Some(reference),
        amount,
        currency: CurrencyCode::Eur,
        idempotency_key: key.to_owned(),
    }
}

fn declined<T: std::fmt::Debug>(outcome: Outcome<T>) -> String {
    match outcome {
        Outcome::Declined { reason } => reason,
        other => panic!("expected a decline, got {other:?}"),
    }
}

#[tokio::test]
async fn an_authorization_is_captured_once_up_to_its_amount() -> anyhow::Result<()> {
    let stand_in = StripeStandIn::start().await?;
    let stripe = provider(&stand_in, STRIPE_SECRET_KEY);
    let held = pay(&stripe, "pm_card_visa", 5_000, CaptureMode::Manual).await;
    assert_eq!(
        stand_in.intent(&held).unwrap()["status"],
        "requires_capture"
    );

    let too_much = stripe.capture(operation(&held, 5_001, "cap-1")).await;
    assert!(declined(too_much).contains("cannot be greater"));
    let captured = stripe.capture(operation(&held, 4_000, "cap-2")).await;
    assert_eq!(
        captured,
        Outcome::Succeeded(Done {
            reference: Some(held.clone())
        })
    );
    let intent = stand_in.intent(&held).unwrap();
    assert_eq!(
        (
            intent["status"].as_str(),
            intent["amount_received"].as_i64()
        ),
        (Some("succeeded"), Some(4_000))
    );
    // The same capture again (a retry) is Stripe's first answer, not a second capture.
    assert_eq!(
        stripe.capture(operation(&held, 4_000, "cap-2")).await,
        captured
    );
    let capture_calls =
        stand_in.requests_to("POST", &format!("/v1/payment_intents/{held}/capture"));
    assert_eq!(capture_calls[1].param("amount_to_capture"), Some("4000"));
    // A new capture of a captured payment is refused.
    assert!(matches!(
        stripe.capture(operation(&held, 1, "cap-3")).await,
        Outcome::Declined { .. }
    ));
    Ok(())
}

#[tokio::test]
async fn an_authorization_can_be_voided_but_a_capture_cannot() -> anyhow::Result<()> {
    let stand_in = StripeStandIn::start().await?;
    let stripe = provider(&stand_in, STRIPE_SECRET_KEY);
    let held = pay(&stripe, "pm_card_visa", 2_500, CaptureMode::Manual).await;
    assert!(matches!(
        stripe.void(operation(&held, 2_500, "void-1")).await,
        Outcome::Succeeded(_)
    ));
    assert_eq!(stand_in.intent(&held).unwrap()["status"], "canceled");
    let paid = pay(&stripe, "pm_card_visa", 2_500, CaptureMode::Automatic).await;
    assert!(matches!(
        stripe.void(operation(&paid, 2_500, "void-2")).await,
        Outcome::Declined { .. }
    ));
    let none = Operation {
        order_id: uuid::Uuid::nil(),
        refund_id: None,
        reference: None,
        amount: 1,
        currency: CurrencyCode::Eur,
        idempotency_key: "void-3".into(),
    };
    assert!(declined(stripe.void(none).await).contains("no reference"));
    Ok(())
}

#[tokio::test]
async fn refunds_never_exceed_what_was_paid_and_say_when_they_fail() -> anyhow::Result<()> {
    let stand_in = StripeStandIn::start().await?;
    let stripe = provider(&stand_in, STRIPE_SECRET_KEY);
    let paid = pay(&stripe, "pm_card_visa", 3_000, CaptureMode::Automatic).await;

    let first = stripe.refund(operation(&paid, 1_000, "refund-1")).await;
    let Outcome::Succeeded(Done {
        reference: Some(refund),
    }) = &first
    else {
        panic!("{first:?}");
    };
    assert!(refund.starts_with("re_"), "{refund}");
    // Replayed, not refunded twice; the same key for another amount is refused.
    assert_eq!(
        stripe.refund(operation(&paid, 1_000, "refund-1")).await,
        first
    );
    assert!(
        declined(stripe.refund(operation(&paid, 500, "refund-1")).await)
            .contains("same parameters")
    );
    assert!(
        declined(stripe.refund(operation(&paid, 2_001, "refund-2")).await)
            .contains("greater than unrefunded")
    );
    assert!(matches!(
        stripe.refund(operation(&paid, 2_000, "refund-3")).await,
        Outcome::Succeeded(_)
    ));
    let sent = stand_in.requests_to("POST", "/v1/refunds");
    let last = sent.last().unwrap();
    assert_eq!(last.param("payment_intent"), Some(paid.as_str()));
    assert_eq!(last.param("amount"), Some("2000"));
    assert_eq!(last.idempotency_key.as_deref(), Some("refund-3"));
    assert!(
        last.param("metadata[order_id]").is_some(),
        "the refund names the order for its webhooks"
    );
    assert!(
        declined(stripe.refund(operation(&paid, 1, "refund-4")).await)
            .contains("already been refunded")
    );

    let doomed = pay(&stripe, "pm_card_refundFail", 3_000, CaptureMode::Automatic).await;
    let failed = declined(stripe.refund(operation(&doomed, 3_000, "refund-5")).await);
    assert!(failed.contains("expired or canceled card"), "{failed}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_key_is_neither_shown_nor_retried_as_transient() -> anyhow::Result<()> {
    let stand_in = StripeStandIn::start().await?;
    let stripe = provider(&stand_in, "sk_test_wrong");
    let request = PaymentRequest {
        payment_id: uuid::Uuid::new_v4(),
        order_id: uuid::Uuid::new_v4(),
        order_number: 1,
        amount: 100,
        currency: CurrencyCode::Usd,
        token: Some("pm_card_visa"),
        capture: CaptureMode::Automatic,
        idempotency_key: "k".into(),
    };
    let reason = declined(stripe.authorize(request).await);
    assert!(!reason.contains("sk_"), "{reason}");
    let request = stand_in.requests().pop().unwrap();
    assert_eq!(request.path, "/v1/payment_intents");
    Ok(())
}
