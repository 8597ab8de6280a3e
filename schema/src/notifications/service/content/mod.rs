//! What a mail shows, read when it is sent: the template's context.
//!
//! Read at send time rather than when the job was queued, so the relay's transaction stays
//! short and a retried mail shows the order as it is now (tracking staff corrected, say).
//! What an order mail shows never changes after checkout anyway: lines, prices and totals
//! are the order's snapshot. A mail whose subject was undone before it went out (the cart
//! became an order, every parcel of the shipment was called back) is skipped.

mod marketing;
mod orders;

use super::links::Links;
use super::mail::{Mail, ReturnStep};
use super::settings::MailSettings;
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use orders::Outcome;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use std::time::Duration;

/// What to do with a mail.
#[derive(Debug)]
pub enum Content {
    /// Render the template with this context.
    Ready(Value),
    /// Send nothing, for this reason.
    Skip(&'static str),
    /// Not yet: ask again after this long (no attempt is counted).
    Later(Duration),
}

/// How long a confirmation waits for the payment checkout asked a provider for: a card
/// declined at checkout cancels the order moments after it was placed, and its buyer must not
/// be thanked for it. Past this, the order is confirmed as placed, payment pending.
const CHECKOUT_PAYMENT_WAIT: chrono::Duration = chrono::Duration::seconds(30);
/// How often a waiting confirmation looks again (the payment's event usually wakes the
/// sender sooner, with mail of its own).
const CHECKOUT_PAYMENT_POLL: Duration = Duration::from_millis(500);

/// Reads what `mail` (to `recipient`) shows.
pub async fn read(
    writer: &Writer,
    settings: &MailSettings,
    recipient: &str,
    mail: &Mail,
) -> ApiResult<Content> {
    let reader = Reader {
        db: writer.db(),
        writer,
        settings,
        links: Links {
            storefront_url: &settings.storefront_url,
        },
    };
    let mut context = match mail {
        Mail::OrderConfirmation { order_id } => match reader.checkout_outcome(*order_id).await? {
            Outcome::Charging => return Ok(Content::Later(CHECKOUT_PAYMENT_POLL)),
            Outcome::Cancelled => {
                return Ok(Content::Skip(
                    "the order was cancelled (its payment declined) before its confirmation went out",
                ));
            }
            Outcome::Placed => reader.order(*order_id, json!({})).await?,
        },
        Mail::PaymentReceived { order_id } => reader.order(*order_id, json!({})).await?,
        Mail::OrderShipped {
            order_id,
            fulfillment_ids,
            complete,
        } => {
            let Some(shipment) = reader.shipment(fulfillment_ids).await? else {
                return Ok(Content::Skip(
                    "the shipment was cancelled before its mail went out",
                ));
            };
            let extra = json!({ "shipment": shipment, "complete": complete });
            reader.order(*order_id, extra).await?
        }
        Mail::OrderDelivered {
            order_id,
            fulfillment_id,
            complete,
        } => {
            let shipment = match fulfillment_id {
                Some(id) => reader.shipment(std::slice::from_ref(id)).await?,
                None => None,
            };
            let extra = json!({ "shipment": shipment, "complete": complete });
            reader.order(*order_id, extra).await?
        }
        Mail::RefundIssued {
            order_id,
            refund_id,
        } => {
            let refund = match refund_id {
                Some(id) => reader.refund(*id).await?,
                None => None,
            };
            reader.order(*order_id, json!({ "refund": refund })).await?
        }
        Mail::ReturnUpdate {
            order_id,
            return_id,
            step,
        } => {
            let found = match return_id {
                Some(id) => reader.order_return(*id).await?,
                None => None,
            };
            let extra = json!({ "return": found, "step": step_name(*step) });
            reader.order(*order_id, extra).await?
        }
        Mail::BackInStock { variant_id, .. } => match reader.product(*variant_id).await? {
            Some(product) => Some(json!({ "product": product })),
            None => return Ok(Content::Skip("the variant was deleted")),
        },
        Mail::AbandonedCart { cart_id } => match reader.cart(*cart_id).await? {
            Some(cart) => Some(json!({ "cart": cart })),
            None => {
                return Ok(Content::Skip(
                    "the cart was checked out, emptied or deleted",
                ));
            }
        },
        Mail::PasswordReset {
            reset_url,
            valid_for_minutes,
        } => Some(json!({ "reset_url": reset_url, "valid_for_minutes": valid_for_minutes })),
        Mail::StaffInvitation {
            accept_url,
            invited_by,
            valid_for_hours,
        } => Some(json!({
            "accept_url": accept_url,
            "invited_by": invited_by,
            "valid_for_hours": valid_for_hours,
        })),
    };
    let Some(Value::Object(fields)) = context.as_mut() else {
        return Ok(Content::Skip("the order was deleted"));
    };
    fields.insert(
        "shop".into(),
        json!({ "name": settings.shop_name, "url": settings.storefront_url }),
    );
    if mail.is_marketing() {
        let token = settings.secret.unsubscribe_token(recipient);
        fields.insert(
            "unsubscribe_url".into(),
            Value::String(reader.links.unsubscribe(&token)),
        );
    }
    Ok(Content::Ready(Value::Object(std::mem::take(fields))))
}

fn step_name(step: ReturnStep) -> &'static str {
    match step {
        ReturnStep::Requested => "requested",
        ReturnStep::Approved => "approved",
        ReturnStep::Declined => "declined",
        ReturnStep::Received => "received",
    }
}

/// Reads for one mail; its methods are in `orders` and `marketing`.
struct Reader<'a> {
    /// The primary: a mail must show what the change it reports committed.
    db: &'a DatabaseConnection,
    /// For the one write a mail needs: holding its order key.
    writer: &'a Writer,
    settings: &'a MailSettings,
    links: Links<'a>,
}
