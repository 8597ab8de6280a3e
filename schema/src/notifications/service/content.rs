//! What a mail shows, read when it is sent: the template's context.
//!
//! Read at send time rather than when the job was queued, so the relay's transaction stays
//! short and a retried mail shows the order as it is now (tracking staff corrected, say).
//! What an order mail shows never changes after checkout anyway: lines, prices and totals
//! are the order's snapshot. A mail whose subject was undone before it went out (the cart
//! became an order, every parcel of the shipment was called back) is skipped.

use super::links::Links;
use super::mail::{Mail, ReturnStep};
use super::settings::MailSettings;
use crate::common::clock::now;
use crate::common::money::{CurrencyCode, Decimal};
use crate::error::ApiResult;
use crate::orders::service::access_keys;
use crate::unit_of_work::Writer;
use entities::enums::{
    CartStatus, FulfillmentStatus, OrderPaymentStatus, OrderStatus, PaymentStatus,
};
use entities::json::MailingAddress;
use entities::{
    cart, cart_line, fulfillment, fulfillment_line, order, order_line, order_return, payment,
    product, product_variant, refund, return_line,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

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

/// "12.50 USD".
fn money(minor: i64, currency: CurrencyCode) -> String {
    format!(
        "{} {}",
        Decimal::from_minor(minor, currency),
        currency.as_str()
    )
}

/// The address as the lines of a label.
fn address_lines(address: &MailingAddress) -> Vec<String> {
    let name = [&address.first_name, &address.last_name]
        .into_iter()
        .filter_map(|part| part.as_deref())
        .collect::<Vec<_>>()
        .join(" ");
    let town = [
        Some(address.zip.as_str()),
        Some(address.city.as_str()),
        address.province.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    [
        Some(name),
        Some(address.address1.clone()),
        address.address2.clone(),
        Some(town),
        Some(address.country_code.clone()),
    ]
    .into_iter()
    .flatten()
    .filter(|line| !line.trim().is_empty())
    .collect()
}

/// The manual provider's name (`payments::manual`): its payments wait for staff.
const MANUAL_PROVIDER: &str = "manual";

enum Outcome {
    /// Placed, and its payment settled or left to someone else: confirm it.
    Placed,
    /// A provider is being asked for the money right now.
    Charging,
    /// Cancelled (a declined card at checkout, or staff).
    Cancelled,
}

struct Reader<'a> {
    db: &'a DatabaseConnection,
    writer: &'a Writer,
    settings: &'a MailSettings,
    links: Links<'a>,
}

impl Reader<'_> {
    /// The order's part of the context, `extra` merged in; `None` when the order is gone.
    async fn order(&self, order_id: Uuid, extra: Value) -> ApiResult<Option<Value>> {
        let Some(order) = order::Entity::find_by_id(order_id).one(self.db).await? else {
            return Ok(None);
        };
        let lines = order_line::Entity::find()
            .filter(order_line::Column::OrderId.eq(order_id))
            .order_by_asc(order_line::Column::Position)
            .all(self.db)
            .await?;
        let currency = CurrencyCode::stored(&order.currency_code)?;
        // A guest opens the order with a key; a customer signs in.
        let key = match order.customer_id {
            Some(_) => None,
            None => {
                let key = self.settings.secret.order_key(order_id);
                // One key for all of the order's mails. At the order's cap of keys the link
                // goes without one: the guest still has the key checkout gave them.
                access_keys::hold(self.writer, order_id, &key)
                    .await?
                    .then_some(key)
            }
        };
        let lines: Vec<Value> = lines
            .iter()
            .map(|line| {
                json!({
                    "product_name": line.product_name,
                    "variant_name": line.variant_name,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": money(line.unit_price, currency),
                    "total": money(line.total, currency),
                })
            })
            .collect();
        let mut context = json!({
            "order": {
                "id": order.id,
                "number": order.number,
                "email": order.email,
                "status_url": self.links.order(order.id, key.as_deref()),
                "currency": currency.as_str(),
                "subtotal": money(order.subtotal, currency),
                "has_discount": order.discount_total > 0,
                "discount_total": money(order.discount_total, currency),
                "discount_code": order.discount_code,
                "shipping_total": money(order.shipping_total, currency),
                "shipping_method": order.shipping_method_name,
                "tax_total": money(order.tax_total, currency),
                "total": money(order.total, currency),
                "lines": lines,
                "shipping_address": order.shipping_address.as_ref().map(address_lines),
            }
        });
        if let (Value::Object(fields), Value::Object(more)) = (&mut context, extra) {
            fields.extend(more);
        }
        Ok(Some(context))
    }

    /// The shipment's tracking and units; `None` when every parcel of it was cancelled.
    async fn shipment(&self, ids: &[Uuid]) -> ApiResult<Option<Value>> {
        let parcels = fulfillment::Entity::find()
            .filter(fulfillment::Column::Id.is_in(ids.iter().copied()))
            .filter(fulfillment::Column::Status.ne(FulfillmentStatus::Cancelled))
            .order_by_asc(fulfillment::Column::Id)
            .all(self.db)
            .await?;
        let Some(first) = parcels.first() else {
            return Ok(None);
        };
        let shipped = fulfillment_line::Entity::find()
            .filter(fulfillment_line::Column::FulfillmentId.is_in(parcels.iter().map(|p| p.id)))
            .all(self.db)
            .await?;
        let ordered = self
            .order_lines(shipped.iter().map(|s| s.order_line_id))
            .await?;
        let lines: Vec<Value> = shipped
            .iter()
            .filter_map(|shipped| {
                let line = ordered.iter().find(|l| l.id == shipped.order_line_id)?;
                Some(json!({
                    "product_name": line.product_name,
                    "variant_name": line.variant_name,
                    "sku": line.sku,
                    "quantity": shipped.quantity,
                }))
            })
            .collect();
        // One shipment's parcels share its tracking (it was given once).
        Ok(Some(json!({
            "tracking_company": first.tracking_company,
            "tracking_number": first.tracking_number,
            "tracking_url": first.tracking_url,
            "lines": lines,
        })))
    }

    /// Where the order's checkout stands, for its confirmation.
    async fn checkout_outcome(&self, order_id: Uuid) -> ApiResult<Outcome> {
        let Some(order) = order::Entity::find_by_id(order_id).one(self.db).await? else {
            return Ok(Outcome::Placed);
        };
        if order.status == OrderStatus::Cancelled {
            return Ok(Outcome::Cancelled);
        }
        if order.payment_status != OrderPaymentStatus::Pending
            || now() - order.created_at > CHECKOUT_PAYMENT_WAIT
        {
            return Ok(Outcome::Placed);
        }
        let payment = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(order_id))
            .one(self.db)
            .await?;
        // A manual payment (bank transfer, cash) is pending until staff mark it paid, and a
        // customer's action (3-D Secure) may take minutes: confirm those now.
        let charging = payment.is_some_and(|p| {
            p.status == PaymentStatus::Pending
                && p.provider != MANUAL_PROVIDER
                && p.next_action.is_none()
        });
        Ok(if charging {
            Outcome::Charging
        } else {
            Outcome::Placed
        })
    }

    /// The order lines (the snapshot of what was bought) with these ids.
    async fn order_lines(
        &self,
        ids: impl Iterator<Item = Uuid>,
    ) -> ApiResult<Vec<order_line::Model>> {
        Ok(order_line::Entity::find()
            .filter(order_line::Column::Id.is_in(ids.collect::<Vec<_>>()))
            .all(self.db)
            .await?)
    }

    async fn refund(&self, id: Uuid) -> ApiResult<Option<Value>> {
        let Some(refund) = refund::Entity::find_by_id(id).one(self.db).await? else {
            return Ok(None);
        };
        let currency = CurrencyCode::stored(&refund.currency_code)?;
        Ok(Some(json!({
            "amount": money(refund.amount, currency),
            "reason": refund.reason,
        })))
    }

    async fn order_return(&self, id: Uuid) -> ApiResult<Option<Value>> {
        let Some(found) = order_return::Entity::find_by_id(id).one(self.db).await? else {
            return Ok(None);
        };
        let returned = return_line::Entity::find()
            .filter(return_line::Column::ReturnId.eq(id))
            .all(self.db)
            .await?;
        let ordered = self
            .order_lines(returned.iter().map(|r| r.order_line_id))
            .await?;
        let lines: Vec<Value> = returned
            .iter()
            .filter_map(|returned| {
                let line = ordered.iter().find(|l| l.id == returned.order_line_id)?;
                Some(json!({
                    "product_name": line.product_name,
                    "variant_name": line.variant_name,
                    "sku": line.sku,
                    "quantity": returned.quantity,
                    "reason": returned.reason,
                }))
            })
            .collect();
        Ok(Some(json!({
            "decline_reason": found.decline_reason,
            "lines": lines,
        })))
    }

    /// The variant that is back and its product's page.
    async fn product(&self, variant_id: Uuid) -> ApiResult<Option<Value>> {
        let Some((variant, Some(product))) = product_variant::Entity::find_by_id(variant_id)
            .find_also_related(product::Entity)
            .one(self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(json!({
            "name": product.name,
            "variant_name": variant.name,
            "sku": variant.sku,
            "url": self.links.product(&product.slug),
        })))
    }

    /// The cart's lines and its recovery link; `None` when it was checked out or emptied.
    async fn cart(&self, cart_id: Uuid) -> ApiResult<Option<Value>> {
        let Some(cart) = cart::Entity::find_by_id(cart_id).one(self.db).await? else {
            return Ok(None);
        };
        if cart.status != CartStatus::Active {
            return Ok(None);
        }
        let lines = cart_line::Entity::find()
            .filter(cart_line::Column::CartId.eq(cart_id))
            .order_by_asc(cart_line::Column::CreatedAt)
            .find_also_related(product_variant::Entity)
            .all(self.db)
            .await?;
        if lines.is_empty() {
            return Ok(None);
        }
        let product_ids: Vec<Uuid> = lines
            .iter()
            .filter_map(|(_, variant)| variant.as_ref().map(|v| v.product_id))
            .collect();
        let products = product::Entity::find()
            .filter(product::Column::Id.is_in(product_ids))
            .all(self.db)
            .await?;
        let lines: Vec<Value> = lines
            .iter()
            .filter_map(|(line, variant)| {
                let variant = variant.as_ref()?;
                let product = products.iter().find(|p| p.id == variant.product_id)?;
                Some(json!({
                    "product_name": product.name,
                    "variant_name": variant.name,
                    "sku": variant.sku,
                    "quantity": line.quantity,
                }))
            })
            .collect();
        Ok(Some(
            json!({ "url": self.links.cart(cart.id), "lines": lines }),
        ))
    }
}
