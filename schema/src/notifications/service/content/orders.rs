//! What order mails show: the order (lines, totals, address, its status link), a shipment,
//! a refund, a return; and whether a confirmation must wait for checkout's payment.

use super::{CHECKOUT_PAYMENT_WAIT, Reader};
use crate::common::clock::now;
use crate::common::money::{CurrencyCode, Decimal};
use crate::error::ApiResult;
use crate::orders::service::access_keys;
use entities::enums::{FulfillmentStatus, OrderStatus, PaymentStatus};
use entities::json::MailingAddress;
use entities::{
    fulfillment, fulfillment_line, order, order_line, order_return, payment, refund, return_line,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

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

pub(super) enum Outcome {
    /// Placed, and its payment settled or left to someone else: confirm it.
    Placed,
    /// A provider is being asked for the money right now.
    Charging,
    /// Cancelled (a declined card at checkout, or staff).
    Cancelled,
}

impl Reader<'_> {
    /// The order's part of the context, `extra` merged in; `None` when the order is gone.
    pub(super) async fn order(&self, order_id: Uuid, extra: Value) -> ApiResult<Option<Value>> {
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
    pub(super) async fn shipment(&self, ids: &[Uuid]) -> ApiResult<Option<Value>> {
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
    ///
    /// The payment is read before the order: the decline changes both in one commit, and two
    /// reads may straddle it. Read in this order, a payment still pending means the answer
    /// was not in yet (wait), and a payment already answered means the order read after it
    /// shows the outcome too (cancelled or not).
    pub(super) async fn checkout_outcome(&self, order_id: Uuid) -> ApiResult<Outcome> {
        let payment = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(order_id))
            .one(self.db)
            .await?;
        let Some(order) = order::Entity::find_by_id(order_id).one(self.db).await? else {
            return Ok(Outcome::Placed);
        };
        if order.status == OrderStatus::Cancelled {
            return Ok(Outcome::Cancelled);
        }
        // A manual payment (bank transfer, cash) is pending until staff mark it paid, and a
        // customer's action (3-D Secure) may take minutes: confirm those now.
        let charging = payment.is_some_and(|p| {
            p.status == PaymentStatus::Pending
                && p.provider != MANUAL_PROVIDER
                && p.next_action.is_none()
        });
        Ok(
            if charging && now() - order.created_at <= CHECKOUT_PAYMENT_WAIT {
                Outcome::Charging
            } else {
                Outcome::Placed
            },
        )
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

    pub(super) async fn refund(&self, id: Uuid) -> ApiResult<Option<Value>> {
        let Some(refund) = refund::Entity::find_by_id(id).one(self.db).await? else {
            return Ok(None);
        };
        let currency = CurrencyCode::stored(&refund.currency_code)?;
        Ok(Some(json!({
            "amount": money(refund.amount, currency),
            "reason": refund.reason,
        })))
    }

    pub(super) async fn order_return(&self, id: Uuid) -> ApiResult<Option<Value>> {
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
}
