//! ORDER_* and RETURN_REQUESTED: the order as `Order` shows it to staff, with its lines and
//! shipments (tracking included, for the warehouse and the shopper's emails).

use super::{id, timestamp};
use crate::common::money::{CurrencyCode, Decimal};
use crate::error::ApiResult;
use crate::orders::events::OrderUpdate;
use crate::shipping::service::rates::MethodId;
use entities::json::MailingAddress;
use entities::{fulfillment, fulfillment_line, order, order_line};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// The order `order_id` now; `None` when it is gone.
pub(super) async fn order(db: &impl ConnectionTrait, order_id: Uuid) -> ApiResult<Option<Value>> {
    let Some(order) = order::Entity::find_by_id(order_id).one(db).await? else {
        return Ok(None);
    };
    let currency = CurrencyCode::stored(&order.currency_code)?;
    let money = |minor: i64| json!({ "amount": Decimal::from_minor(minor, currency).to_string(), "currencyCode": currency.as_str() });
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order_id))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?;
    let shipments = fulfillment::Entity::find()
        .filter(fulfillment::Column::OrderId.eq(order_id))
        .order_by_asc(fulfillment::Column::CreatedAt)
        .order_by_asc(fulfillment::Column::Id)
        .all(db)
        .await?;
    let mut shipped: HashMap<Uuid, Vec<Value>> = HashMap::new();
    if !shipments.is_empty() {
        let rows = fulfillment_line::Entity::find()
            .filter(fulfillment_line::Column::FulfillmentId.is_in(shipments.iter().map(|f| f.id)))
            .all(db)
            .await?;
        for row in rows {
            shipped.entry(row.fulfillment_id).or_default().push(json!({
                "orderLineId": id(row.order_line_id),
                "quantity": row.quantity,
            }));
        }
    }
    let lines: Vec<Value> = lines
        .iter()
        .map(|line| {
            json!({
                "id": id(line.id),
                "sku": line.sku,
                "productName": line.product_name,
                "variantName": line.variant_name,
                "variantId": line.variant_id.map(id),
                "productId": line.product_id.map(id),
                "quantity": line.quantity,
                "refundedQuantity": line.refunded_quantity,
                "shippedQuantity": line.shipped_quantity,
                "unitPrice": money(line.unit_price),
                "total": money(line.total),
            })
        })
        .collect();
    let fulfillments: Vec<Value> = shipments
        .iter()
        .map(|f| {
            json!({
                "id": id(f.id),
                "status": f.status,
                "trackingCompany": f.tracking_company,
                "trackingNumber": f.tracking_number,
                "trackingUrl": f.tracking_url,
                "createdAt": timestamp(f.created_at),
                "shippedAt": timestamp(f.shipped_at),
                "deliveredAt": f.delivered_at.map(timestamp),
                "lines": shipped.remove(&f.id).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Some(json!({
        "id": id(order.id),
        "number": order.number,
        "status": order.status,
        "paymentStatus": order.payment_status,
        "fulfillmentStatus": order.fulfillment_status,
        "email": order.email,
        "customerId": order.customer_id.map(id),
        "currencyCode": currency.as_str(),
        "subtotal": money(order.subtotal),
        "discountTotal": money(order.discount_total),
        "shippingTotal": money(order.shipping_total),
        "taxTotal": money(order.tax_total),
        "total": money(order.total),
        "discountCode": order.discount_code,
        "shippingMethod": order.shipping_method_name.as_ref().map(|name| {
            let method = order.shipping_method_id.map_or(MethodId::FlatRate, MethodId::Configured);
            json!({ "id": method.to_id_string(), "name": name })
        }),
        "shippingAddress": order.shipping_address.as_ref().map(address),
        "billingAddress": order.billing_address.as_ref().map(address),
        "lines": lines,
        "fulfillments": fulfillments,
        "createdAt": timestamp(order.created_at),
        "updatedAt": timestamp(order.updated_at),
    })))
}

/// What the event itself says, for an order that is gone.
pub(super) fn from_event(update: &OrderUpdate) -> Value {
    json!({
        "id": id(update.order_id),
        "status": update.status,
        "paymentStatus": update.payment_status,
        "customerId": update.customer_id.map(id),
    })
}

/// As `MailingAddress` shows it.
fn address(a: &MailingAddress) -> Value {
    json!({
        "firstName": a.first_name,
        "lastName": a.last_name,
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "province": a.province,
        "zip": a.zip,
        "countryCode": a.country_code,
        "phone": a.phone,
    })
}
