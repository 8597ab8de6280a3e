//! The mechanics of a shipment: taking units off the order's allocation rows, recording the
//! fulfilments, and shipping the stock through inventory.

use crate::common::clock::now;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation};
use crate::unit_of_work::Write;
use entities::enums::FulfillmentStatus;
use entities::{fulfillment, fulfillment_line, order, order_allocation, order_line};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Where a shipment can be followed. Every field is optional.
#[derive(Clone, Debug, Default)]
pub struct Tracking {
    pub company: Option<String>,
    pub number: Option<String>,
    pub url: Option<String>,
}

impl Tracking {
    /// One line each (at most 255 characters; the URL 2,048 and http or https).
    pub fn clean(&self) -> Result<Tracking, UserError> {
        let line = |value: &Option<String>, field: &str, max: usize| {
            text::optional_line(value.as_deref(), max).map_err(|problem| {
                UserError::new(&["input", field], ErrorCode::Invalid, problem.to_string())
            })
        };
        let url = line(&self.url, "trackingUrl", 2_048)?;
        if let Some(url) = &url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(UserError::new(
                &["input", "trackingUrl"],
                ErrorCode::Invalid,
                "must be an http or https URL",
            ));
        }
        Ok(Tracking {
            company: line(&self.company, "trackingCompany", 255)?,
            number: line(&self.number, "trackingNumber", 255)?,
            url,
        })
    }

    /// "UPS 1Z999…" for the order's history, when there is anything to say.
    pub fn summary(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.company, &self.number]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// Units taken off one allocation row.
pub(super) struct Taken {
    pub line: Uuid,
    pub allocation: Allocation,
}

/// Takes `quantity` units of each line off its allocation rows (first warehouse first) with
/// guarded decrements; a line without that many units left refuses the whole shipment.
pub(super) async fn take(
    write: &Write,
    wanted: &[(order_line::Model, i32)],
) -> ApiResult<Result<Vec<Taken>, UserError>> {
    let mut taken = Vec::new();
    for (index, (line, quantity)) in wanted.iter().enumerate() {
        let rows = order_allocation::Entity::find()
            .filter(order_allocation::Column::OrderLineId.eq(line.id))
            .order_by_asc(order_allocation::Column::WarehouseId)
            .all(write.txn())
            .await?;
        let left: i32 = rows.iter().map(|r| r.quantity).sum();
        let short = || {
            let index = index.to_string();
            UserError::new(
                &["input", "lines", &index, "quantity"],
                ErrorCode::Invalid,
                format!("only {left} unit(s) of {} are left to ship", line.sku),
            )
        };
        if left < *quantity {
            return Ok(Err(short()));
        }
        let mut rest = *quantity;
        for row in rows {
            if rest == 0 {
                break;
            }
            let units = std::cmp::min(row.quantity, rest);
            if !decrement(write, &row, units).await? {
                // Another shipment took them since the read.
                return Ok(Err(short()));
            }
            rest -= units;
            taken.push(Taken {
                line: line.id,
                allocation: Allocation {
                    variant_id: line.variant_id.unwrap_or_default(),
                    warehouse_id: row.warehouse_id,
                    quantity: units,
                },
            });
        }
    }
    Ok(Ok(taken))
}

/// `quantity -= units` if that many are still there (false when a concurrent shipment or
/// refund took them first); a row at zero goes.
pub(crate) async fn decrement(
    write: &Write,
    row: &order_allocation::Model,
    units: i32,
) -> ApiResult<bool> {
    let updated = order_allocation::Entity::update_many()
        .col_expr(
            order_allocation::Column::Quantity,
            Expr::col(order_allocation::Column::Quantity).sub(units),
        )
        .filter(order_allocation::Column::OrderLineId.eq(row.order_line_id))
        .filter(order_allocation::Column::WarehouseId.eq(row.warehouse_id))
        .filter(order_allocation::Column::Quantity.gte(units))
        .exec(write.txn())
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    order_allocation::Entity::delete_many()
        .filter(order_allocation::Column::OrderLineId.eq(row.order_line_id))
        .filter(order_allocation::Column::WarehouseId.eq(row.warehouse_id))
        .filter(order_allocation::Column::Quantity.lte(0))
        .exec(write.txn())
        .await?;
    Ok(true)
}

/// Records one fulfilment per warehouse the units came from, counts the lines' shipped
/// units, and ships the stock (`onHand` and `allocated` drop, subscribers told).
/// `notify_customer` is kept on each fulfilment: the mailer reads it when the order's
/// FULFILLED / PARTIALLY_FULFILLED event comes by.
pub(super) async fn record(
    write: &mut Write,
    order_id: Uuid,
    taken: &[Taken],
    tracking: &Tracking,
    actor: Option<Uuid>,
    notify_customer: bool,
) -> ApiResult<Vec<(fulfillment::Model, Vec<fulfillment_line::Model>)>> {
    let mut by_warehouse: BTreeMap<Uuid, BTreeMap<Uuid, i32>> = BTreeMap::new();
    for t in taken {
        *by_warehouse
            .entry(t.allocation.warehouse_id)
            .or_default()
            .entry(t.line)
            .or_default() += t.allocation.quantity;
    }
    let at = now();
    let mut made = Vec::new();
    for (warehouse_id, lines) in by_warehouse {
        let shipment = fulfillment::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(order_id),
            status: Set(FulfillmentStatus::Shipped),
            tracking_company: Set(tracking.company.clone()),
            tracking_number: Set(tracking.number.clone()),
            tracking_url: Set(tracking.url.clone()),
            created_by: Set(actor),
            created_at: Set(at),
            shipped_at: Set(at),
            delivered_at: Set(None),
            cancelled_at: Set(None),
            updated_at: Set(at),
            notify_customer: Set(notify_customer),
        }
        .insert(write.txn())
        .await?;
        let rows: Vec<fulfillment_line::Model> = lines
            .iter()
            .map(|(line, quantity)| fulfillment_line::Model {
                fulfillment_id: shipment.id,
                order_line_id: *line,
                warehouse_id,
                quantity: *quantity,
                returned_quantity: 0,
            })
            .collect();
        fulfillment_line::Entity::insert_many(
            rows.iter()
                .cloned()
                .map(fulfillment_line::ActiveModel::from),
        )
        .exec_without_returning(write.txn())
        .await?;
        made.push((shipment, rows));
    }
    let mut per_line: BTreeMap<Uuid, i32> = BTreeMap::new();
    for t in taken {
        *per_line.entry(t.line).or_default() += t.allocation.quantity;
    }
    for (line, units) in per_line {
        order_line::Entity::update_many()
            .col_expr(
                order_line::Column::ShippedQuantity,
                Expr::col(order_line::Column::ShippedQuantity).add(units),
            )
            .filter(order_line::Column::Id.eq(line))
            .exec(write.txn())
            .await?;
    }
    // A deleted variant's stock rows went with it: nothing to ship from.
    let stock: Vec<Allocation> = taken
        .iter()
        .map(|t| t.allocation)
        .filter(|a| !a.variant_id.is_nil())
        .collect();
    allocation::fulfil(write, &stock).await?;
    Ok(made)
}

/// Whether any of the order's units are still allocated (not shipped).
pub(super) async fn anything_left(write: &Write, order_id: Uuid) -> ApiResult<bool> {
    let left = order_allocation::Entity::find()
        .inner_join(order_line::Entity)
        .filter(order_line::Column::OrderId.eq(order_id))
        .filter(order_allocation::Column::Quantity.gt(0))
        .one(write.txn())
        .await?;
    Ok(left.is_some())
}

/// `orderFulfill`'s effect: every unit still allocated leaves on one shipment per warehouse,
/// without tracking.
pub async fn ship_rest(
    write: &mut Write,
    order: &order::Model,
    actor: Option<Uuid>,
) -> ApiResult<()> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .all(write.txn())
        .await?;
    let mut wanted = Vec::new();
    for line in lines {
        let left: i32 = order_allocation::Entity::find()
            .filter(order_allocation::Column::OrderLineId.eq(line.id))
            .all(write.txn())
            .await?
            .iter()
            .map(|r| r.quantity)
            .sum();
        if left > 0 {
            wanted.push((line, left));
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let taken = take(write, &wanted).await?.map_err(|error| {
        crate::error::ApiError::Internal(format!("shipping the rest: {}", error.message))
    })?;
    // `orderFulfill` has no say in it: its customer hears of the shipment.
    record(write, order.id, &taken, &Tracking::default(), actor, true).await?;
    Ok(())
}
