//! Allocation: promising stock to orders, and giving it back or shipping it.
//!
//! Policy (deterministic): a line is taken from warehouses in order of their `priority`
//! (lower first, ties by warehouse code), as much as each one has, until the line is
//! covered — so stock concentrates in the preferred warehouse and a line is split only when
//! that warehouse cannot cover it. All lines are allocated or none is.
//!
//! Concurrency: the stock rows are read `FOR UPDATE` (PostgreSQL; in a fixed order, so two
//! checkouts cannot deadlock) or under the write lock a unit of work takes (SQLite), and
//! every UPDATE repeats the availability guard, so no interleaving can oversell. The CHECK
//! constraint on `stock_levels` is the last line of defence.

use super::availability;
use crate::common::clock::now;
use crate::error::{ApiError, ApiResult};
use crate::events::DomainEvent;
use crate::inventory::events::StockUpdate;
use crate::unit_of_work::Write;
use entities::{product_variant, stock_level, warehouse};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait,
    JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Units of one variant to allocate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub variant_id: Uuid,
    pub quantity: i32,
}

/// Units of one variant promised from one warehouse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub variant_id: Uuid,
    pub warehouse_id: Uuid,
    pub quantity: i32,
}

/// A variant that cannot be covered, with what there is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortage {
    pub variant_id: Uuid,
    pub requested: i32,
    pub available: i32,
}

/// The stock rows of some variants, locked for the rest of the transaction, with the
/// warehouses' allocation order.
pub struct LockedStock {
    levels: Vec<stock_level::Model>,
    ranks: HashMap<Uuid, usize>,
}

impl LockedStock {
    /// Units available per variant (on hand − allocated over its warehouses).
    pub fn available(&self) -> HashMap<Uuid, i64> {
        let mut available: HashMap<Uuid, i64> = HashMap::new();
        for level in &self.levels {
            *available.entry(level.variant_id).or_default() += i64::from(free(level));
        }
        available
    }
}

/// Locks the stock rows of `variant_ids` (in a fixed order: no deadlocks between checkouts).
pub async fn lock_stock(write: &Write, variant_ids: &[Uuid]) -> ApiResult<LockedStock> {
    let mut ids = variant_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(LockedStock {
            levels: Vec::new(),
            ranks: HashMap::new(),
        });
    }
    let (levels, ranks) = lock_levels(write.txn(), ids.into_iter()).await?;
    Ok(LockedStock { levels, ranks })
}

/// Allocates every request from rows locked by `lock_stock` (they must cover every requested
/// variant), or nothing: on shortage nothing is written and the shortages are returned (the
/// caller drops its unit of work). The new availability of each variant is recorded on the
/// unit as a `StockChanged` event. `known`: the variants if the caller has read them (their
/// SKU and product go into the events); otherwise they are read.
pub async fn allocate(
    write: &mut Write,
    stock: &LockedStock,
    requests: &[Request],
    known: Option<&HashMap<Uuid, product_variant::Model>>,
) -> ApiResult<Result<Vec<Allocation>, Vec<Shortage>>> {
    let txn = write.txn();
    // Quantities per variant, in a fixed order.
    let mut wanted: BTreeMap<Uuid, i32> = BTreeMap::new();
    for request in requests {
        if request.quantity <= 0 {
            return Err(ApiError::bad_input(
                "allocation quantities must be positive",
            ));
        }
        let total = wanted.entry(request.variant_id).or_insert(0);
        *total = total.saturating_add(request.quantity);
    }
    if wanted.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let (levels, ranks) = (&stock.levels, &stock.ranks);
    let (plan, shortages) = plan(&wanted, levels, ranks);
    if !shortages.is_empty() {
        return Ok(Err(shortages));
    }
    if !reserve(txn, &plan).await? {
        // Only possible if the rows were not locked as they should be; refuse safely (the
        // caller rolls back).
        return Ok(Err(wanted
            .iter()
            .map(|(&variant_id, &requested)| Shortage {
                variant_id,
                requested,
                available: 0,
            })
            .collect()));
    }
    let variants = match known {
        Some(known) => known.clone(),
        None => product_variant::Entity::find()
            .filter(product_variant::Column::Id.is_in(wanted.keys().copied()))
            .all(txn)
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect(),
    };
    // The new availability follows from the locked rows: no need to read them again.
    let at = now();
    let events: Vec<StockUpdate> = wanted
        .iter()
        .filter_map(|(variant_id, requested)| {
            let variant = variants.get(variant_id)?;
            let before: i64 = levels
                .iter()
                .filter(|l| l.variant_id == *variant_id)
                .map(|l| i64::from(l.on_hand - l.allocated))
                .sum();
            let available =
                i32::try_from(std::cmp::max(before - i64::from(*requested), 0)).unwrap_or(i32::MAX);
            Some(StockUpdate {
                event_id: Uuid::now_v7(),
                variant_uuid: *variant_id,
                product_uuid: variant.product_id,
                sku: variant.sku.clone(),
                available,
                in_stock: available > 0,
                occurred_at: at,
                resync: false,
                low_stock_threshold: variant.low_stock_threshold,
                was_in_stock: Some(before > 0),
            })
        })
        .collect();
    write.record_all(events.into_iter().map(DomainEvent::StockChanged));
    Ok(Ok(plan))
}

/// Adds the whole plan to `allocated` in one UPDATE: each (variant, warehouse) row gains its
/// own quantity (a CASE), and the availability guard is repeated per row in the same
/// statement. True when every planned row was updated.
async fn reserve(txn: &DatabaseTransaction, plan: &[Allocation]) -> ApiResult<bool> {
    if plan.is_empty() {
        return Ok(true);
    }
    let quantity = per_row(plan);
    let updated = stock_level::Entity::update_many()
        .col_expr(
            stock_level::Column::Allocated,
            Expr::col(stock_level::Column::Allocated).add(quantity.clone()),
        )
        .col_expr(stock_level::Column::UpdatedAt, Expr::value(now()))
        .filter(rows_of(plan))
        .filter(
            Expr::col(stock_level::Column::OnHand)
                .sub(Expr::col(stock_level::Column::Allocated))
                .gte(quantity),
        )
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == plan.len() as u64)
}

/// The stock row of an allocation.
fn row_of(allocation: &Allocation) -> Condition {
    Condition::all()
        .add(stock_level::Column::VariantId.eq(allocation.variant_id))
        .add(stock_level::Column::WarehouseId.eq(allocation.warehouse_id))
}

fn rows_of(plan: &[Allocation]) -> Condition {
    plan.iter().fold(Condition::any(), |rows, allocation| {
        rows.add(row_of(allocation))
    })
}

/// `CASE WHEN <row 1> THEN q1 WHEN … ELSE 0 END`: each row's quantity.
fn per_row(plan: &[Allocation]) -> Expr {
    plan.iter()
        .fold(CaseStatement::new(), |case, allocation| {
            case.case(row_of(allocation), allocation.quantity)
        })
        .finally(0)
        .into()
}

/// Gives allocated units back (an order was cancelled or its payment declined).
pub async fn release(write: &mut Write, allocations: &[Allocation]) -> ApiResult<()> {
    let allocated = Expr::col(stock_level::Column::Allocated);
    settle(write, allocations, |q| {
        vec![(stock_level::Column::Allocated, allocated.clone().sub(q))]
    })
    .await
}

/// Ships allocated units: they leave both `allocated` and `on_hand`.
pub async fn fulfil(write: &mut Write, allocations: &[Allocation]) -> ApiResult<()> {
    let allocated = Expr::col(stock_level::Column::Allocated);
    let on_hand = Expr::col(stock_level::Column::OnHand);
    settle(write, allocations, |q| {
        vec![
            (
                stock_level::Column::Allocated,
                allocated.clone().sub(q.clone()),
            ),
            (stock_level::Column::OnHand, on_hand.clone().sub(q)),
        ]
    })
    .await
}

/// Puts shipped units back on hand where they left from (a refund that restocks returned
/// goods), and records the new availability.
pub async fn return_to_stock(write: &mut Write, allocations: &[Allocation]) -> ApiResult<()> {
    add_back(write, allocations, &[stock_level::Column::OnHand]).await
}

/// Units of a cancelled shipment come back: on hand and allocated to their order again.
pub async fn unship(write: &mut Write, allocations: &[Allocation]) -> ApiResult<()> {
    let columns = [stock_level::Column::OnHand, stock_level::Column::Allocated];
    add_back(write, allocations, &columns).await
}

/// Adds each allocation's units to `columns` of its stock row, and records the new
/// availability. Nothing to guard: counts only grow. One UPDATE per row: these are a
/// handful of rows, and a CASE over repeated rows would need merging first.
async fn add_back(
    write: &mut Write,
    allocations: &[Allocation],
    columns: &[stock_level::Column],
) -> ApiResult<()> {
    let allocations: Vec<&Allocation> = allocations.iter().filter(|a| a.quantity > 0).collect();
    if allocations.is_empty() {
        return Ok(());
    }
    for allocation in &allocations {
        let mut update = stock_level::Entity::update_many()
            .col_expr(stock_level::Column::UpdatedAt, Expr::value(now()));
        for column in columns {
            update = update.col_expr(*column, Expr::col(*column).add(allocation.quantity));
        }
        update.filter(row_of(allocation)).exec(write.txn()).await?;
    }
    let mut variants: Vec<Uuid> = allocations.iter().map(|a| a.variant_id).collect();
    variants.sort_unstable();
    variants.dedup();
    availability::record_changes(write, &variants).await?;
    Ok(())
}

/// Applies `changes(quantity)` to every allocation's row in one UPDATE (quantities per
/// row by CASE), guarded by `allocated >= quantity`, and records the new availability.
async fn settle(
    write: &mut Write,
    allocations: &[Allocation],
    changes: impl Fn(Expr) -> Vec<(stock_level::Column, Expr)>,
) -> ApiResult<()> {
    // One entry per stock row, so the CASE and the row count line up.
    let mut merged: Vec<Allocation> = Vec::with_capacity(allocations.len());
    for allocation in allocations {
        match merged.iter_mut().find(|m| {
            m.variant_id == allocation.variant_id && m.warehouse_id == allocation.warehouse_id
        }) {
            Some(existing) => existing.quantity += allocation.quantity,
            None => merged.push(*allocation),
        }
    }
    let allocations = merged.as_slice();
    if allocations.is_empty() {
        return Ok(());
    }
    let quantity = per_row(allocations);
    let mut update = stock_level::Entity::update_many()
        .col_expr(stock_level::Column::UpdatedAt, Expr::value(now()));
    for (column, value) in changes(quantity.clone()) {
        update = update.col_expr(column, value);
    }
    let updated = update
        .filter(rows_of(allocations))
        .filter(Expr::col(stock_level::Column::Allocated).gte(quantity))
        .exec(write.txn())
        .await?;
    if updated.rows_affected != allocations.len() as u64 {
        return Err(ApiError::Internal(format!(
            "{} of {} allocations are not held",
            allocations.len() as u64 - updated.rows_affected,
            allocations.len()
        )));
    }
    let mut variants: Vec<Uuid> = allocations.iter().map(|a| a.variant_id).collect();
    variants.sort_unstable();
    variants.dedup();
    availability::record_changes(write, &variants).await?;
    Ok(())
}

/// The stock rows of `variants` with each warehouse's place in the allocation order (ranked
/// by priority, then code), in one statement. On PostgreSQL the stock rows — and only they:
/// `FOR UPDATE OF stock_levels`, so checkouts do not queue on warehouse rows — stay locked
/// until the transaction ends; SQLite's write transaction is exclusive anyway.
async fn lock_levels(
    txn: &DatabaseTransaction,
    variants: impl Iterator<Item = Uuid>,
) -> ApiResult<(Vec<stock_level::Model>, HashMap<Uuid, usize>)> {
    let mut query = stock_level::Entity::find()
        .select_only()
        .columns([
            stock_level::Column::VariantId,
            stock_level::Column::WarehouseId,
            stock_level::Column::OnHand,
            stock_level::Column::Allocated,
            stock_level::Column::UpdatedAt,
        ])
        .column(warehouse::Column::Priority)
        .column(warehouse::Column::Code)
        .join(JoinType::InnerJoin, stock_level::Relation::Warehouse.def())
        .filter(stock_level::Column::VariantId.is_in(variants))
        .order_by_asc(stock_level::Column::VariantId)
        .order_by_asc(stock_level::Column::WarehouseId);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        QueryTrait::query(&mut query).lock_with_tables(LockType::Update, [stock_level::Entity]);
    }
    type Row = (
        Uuid,
        Uuid,
        i32,
        i32,
        chrono::DateTime<chrono::Utc>,
        i32,
        String,
    );
    let rows: Vec<Row> = query.into_tuple().all(txn).await?;
    let mut warehouses: Vec<(i32, String, Uuid)> = rows
        .iter()
        .map(|row| (row.5, row.6.clone(), row.1))
        .collect();
    warehouses.sort();
    warehouses.dedup();
    let ranks = warehouses
        .into_iter()
        .enumerate()
        .map(|(rank, (_, _, id))| (id, rank))
        .collect();
    let levels = rows
        .into_iter()
        .map(
            |(variant_id, warehouse_id, on_hand, allocated, updated_at, _, _)| stock_level::Model {
                variant_id,
                warehouse_id,
                on_hand,
                allocated,
                updated_at,
            },
        )
        .collect();
    Ok((levels, ranks))
}

/// Decides where each variant's units come from (pure, so the policy is unit-tested).
fn plan(
    wanted: &BTreeMap<Uuid, i32>,
    levels: &[stock_level::Model],
    ranks: &HashMap<Uuid, usize>,
) -> (Vec<Allocation>, Vec<Shortage>) {
    let mut plan = Vec::new();
    let mut shortages = Vec::new();
    for (&variant_id, &requested) in wanted {
        let mut sources: Vec<&stock_level::Model> = levels
            .iter()
            .filter(|level| level.variant_id == variant_id)
            .collect();
        sources.sort_by_key(|level| {
            ranks
                .get(&level.warehouse_id)
                .copied()
                .unwrap_or(usize::MAX)
        });
        let available: i32 = sources.iter().map(|level| free(level)).sum();
        if available < requested {
            shortages.push(Shortage {
                variant_id,
                requested,
                available,
            });
            continue;
        }
        let mut missing = requested;
        for level in sources {
            if missing == 0 {
                break;
            }
            let take = std::cmp::min(free(level), missing);
            if take > 0 {
                plan.push(Allocation {
                    variant_id,
                    warehouse_id: level.warehouse_id,
                    quantity: take,
                });
                missing -= take;
            }
        }
    }
    (plan, shortages)
}

/// Units of a stock row not promised to anyone.
fn free(level: &stock_level::Model) -> i32 {
    std::cmp::max(level.on_hand - level.allocated, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(
        variant_id: Uuid,
        warehouse_id: Uuid,
        on_hand: i32,
        allocated: i32,
    ) -> stock_level::Model {
        stock_level::Model {
            variant_id,
            warehouse_id,
            on_hand,
            allocated,
            updated_at: now(),
        }
    }

    #[test]
    fn takes_from_the_preferred_warehouse_first_and_splits_only_when_needed() {
        let variant = Uuid::now_v7();
        let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
        let ranks = HashMap::from([(first, 0), (second, 1)]);
        let levels = [level(variant, second, 10, 0), level(variant, first, 5, 2)];

        let (plan_small, short) = plan(&BTreeMap::from([(variant, 3)]), &levels, &ranks);
        assert!(short.is_empty());
        assert_eq!(
            plan_small,
            vec![Allocation {
                variant_id: variant,
                warehouse_id: first,
                quantity: 3
            }]
        );

        let (plan_split, _) = plan(&BTreeMap::from([(variant, 7)]), &levels, &ranks);
        assert_eq!(
            plan_split,
            vec![
                Allocation {
                    variant_id: variant,
                    warehouse_id: first,
                    quantity: 3
                },
                Allocation {
                    variant_id: variant,
                    warehouse_id: second,
                    quantity: 4
                },
            ]
        );

        let (nothing, short) = plan(&BTreeMap::from([(variant, 14)]), &levels, &ranks);
        assert!(nothing.is_empty());
        assert_eq!(
            short,
            vec![Shortage {
                variant_id: variant,
                requested: 14,
                available: 13
            }]
        );
    }
}
