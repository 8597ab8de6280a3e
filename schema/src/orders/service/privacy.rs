//! A customer's orders for their data export, and what account deletion leaves of them.
//!
//! Orders are kept for the books: totals, lines, payments, refunds and shipments stay as
//! they are, so the shop's accounts still add up. What names the person goes: the customer
//! link, the email (replaced by [`ERASED_EMAIL`], as the column is NOT NULL), both addresses,
//! and their strings inside the history messages.

use crate::common::redact::{self, Column};
use crate::error::ApiResult;
use crate::unit_of_work::Write;
use entities::json::MailingAddress;
use entities::{
    fulfillment, fulfillment_line, order, order_event, order_line, order_return, payment, refund,
    refund_line, return_line,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

/// What an erased order's email becomes: `.invalid` never resolves (RFC 2606), and the mail
/// queue skips it, so nothing written later about the order reaches anyone.
pub const ERASED_EMAIL: &str = "erased@invalid";

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Every order of `customer_id` with its lines, payments, shipments, returns, refunds and
/// history, oldest first. Guest orders placed with the same email are not included: they
/// are opened with their access keys, not the account.
pub async fn export_customer(db: &impl ConnectionTrait, customer_id: Uuid) -> ApiResult<Value> {
    let orders = order::Entity::find()
        .filter(order::Column::CustomerId.eq(customer_id))
        .order_by_asc(order::Column::CreatedAt)
        .order_by_asc(order::Column::Id)
        .all(db)
        .await?;
    let mut exported = Vec::with_capacity(orders.len());
    for order in orders {
        exported.push(export_order(db, order).await?);
    }
    Ok(Value::Array(exported))
}

async fn export_order(db: &impl ConnectionTrait, order: order::Model) -> ApiResult<Value> {
    let id = order.id;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?;
    let mut payments = payment::Entity::find()
        .filter(payment::Column::OrderId.eq(id))
        .all(db)
        .await?;
    for payment in &mut payments {
        // A provider's client secret is a credential for the payment, not data about anyone.
        payment.next_action = None;
    }
    let fulfillments = fulfillment::Entity::find()
        .filter(fulfillment::Column::OrderId.eq(id))
        .all(db)
        .await?;
    let fulfillment_lines = fulfillment_line::Entity::find()
        .filter(fulfillment_line::Column::FulfillmentId.is_in(fulfillments.iter().map(|f| f.id)))
        .all(db)
        .await?;
    let returns = order_return::Entity::find()
        .filter(order_return::Column::OrderId.eq(id))
        .all(db)
        .await?;
    let return_lines = return_line::Entity::find()
        .filter(return_line::Column::ReturnId.is_in(returns.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let refunds = refund::Entity::find()
        .filter(refund::Column::OrderId.eq(id))
        .all(db)
        .await?;
    let refund_lines = refund_line::Entity::find()
        .filter(refund_line::Column::RefundId.is_in(refunds.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let history = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(id))
        .order_by_asc(order_event::Column::CreatedAt)
        .all(db)
        .await?;
    let children = |parent: Uuid, key: fn(&Value) -> Option<String>, all: &[Value]| {
        let parent = parent.to_string();
        all.iter()
            .filter(|child| key(child).as_deref() == Some(parent.as_str()))
            .cloned()
            .collect::<Vec<_>>()
    };
    let fulfillment_lines: Vec<Value> = fulfillment_lines.iter().map(json_of).collect();
    let return_lines: Vec<Value> = return_lines.iter().map(json_of).collect();
    let refund_lines: Vec<Value> = refund_lines.iter().map(json_of).collect();
    Ok(json!({
        "order": json_of(&order),
        "lines": lines.iter().map(json_of).collect::<Vec<_>>(),
        "payments": payments.iter().map(json_of).collect::<Vec<_>>(),
        "fulfillments": fulfillments.iter().map(|f| json!({
            "fulfillment": json_of(f),
            "lines": children(f.id, |v| v["fulfillment_id"].as_str().map(str::to_owned), &fulfillment_lines),
        })).collect::<Vec<_>>(),
        "returns": returns.iter().map(|r| json!({
            "return": json_of(r),
            "lines": children(r.id, |v| v["return_id"].as_str().map(str::to_owned), &return_lines),
        })).collect::<Vec<_>>(),
        "refunds": refunds.iter().map(|r| json!({
            "refund": json_of(r),
            "lines": children(r.id, |v| v["refund_id"].as_str().map(str::to_owned), &refund_lines),
        })).collect::<Vec<_>>(),
        "history": history.iter().map(json_of).collect::<Vec<_>>(),
    }))
}

fn of_person(customer_id: Uuid, email: &str) -> Condition {
    Condition::any()
        .add(order::Column::CustomerId.eq(customer_id))
        .add(order::Column::Email.eq(email))
}

/// The ids of the orders of `customer_id`, and of guest orders placed with `email`.
pub async fn order_ids(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    email: &str,
) -> ApiResult<Vec<Uuid>> {
    Ok(order::Entity::find()
        .filter(of_person(customer_id, email))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect())
}

/// The shipping and billing addresses on the person's orders: their strings are erased
/// from free text too.
pub async fn addresses_of(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    email: &str,
) -> ApiResult<Vec<MailingAddress>> {
    Ok(order::Entity::find()
        .filter(of_person(customer_id, email))
        .all(db)
        .await?
        .into_iter()
        .flat_map(|o| [o.shipping_address, o.billing_address])
        .flatten()
        .collect())
}

/// Account deletion's part in orders (see the module comment), for the orders `order_ids`
/// found; `needles` are the person's strings (`redact::needles`).
pub async fn anonymise_customer(
    write: &mut Write,
    customer_id: Uuid,
    email: &str,
    needles: &[String],
) -> ApiResult<Vec<Uuid>> {
    let txn = write.txn();
    let ids = order_ids(txn, customer_id, email).await?;
    if ids.is_empty() {
        return Ok(ids);
    }
    order::Entity::update_many()
        .col_expr(order::Column::CustomerId, Expr::value(None::<Uuid>))
        .col_expr(order::Column::Email, Expr::value(ERASED_EMAIL))
        .col_expr(
            order::Column::ShippingAddress,
            Expr::value(sea_orm::Value::Json(None)),
        )
        .col_expr(
            order::Column::BillingAddress,
            Expr::value(sea_orm::Value::Json(None)),
        )
        .filter(order::Column::Id.is_in(ids.clone()))
        .exec(txn)
        .await?;
    let placeholders = vec!["?"; ids.len()].join(", ");
    let condition = format!("order_id IN ({placeholders})");
    let values = ids.iter().map(|id| (*id).into()).collect();
    let message = Column {
        table: "order_events",
        column: "message",
        json: false,
    };
    redact::replace_in(txn, &message, &[], needles, Some((&condition, values))).await?;
    for column in [
        Column {
            table: "returns",
            column: "decline_reason",
            json: false,
        },
        Column {
            table: "refunds",
            column: "reason",
            json: false,
        },
    ] {
        let values = ids.iter().map(|id| (*id).into()).collect();
        redact::replace_in(txn, &column, &[], needles, Some((&condition, values))).await?;
    }
    let line_reasons = Column {
        table: "return_lines",
        column: "reason",
        json: false,
    };
    let line_condition =
        format!("return_id IN (SELECT id FROM returns WHERE order_id IN ({placeholders}))");
    let values = ids.iter().map(|id| (*id).into()).collect();
    redact::replace_in(
        txn,
        &line_reasons,
        &[],
        needles,
        Some((&line_condition, values)),
    )
    .await?;
    Ok(ids)
}
