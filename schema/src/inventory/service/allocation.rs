//! Allocation: promising stock to orders, and giving it back or shipping it.
//!
//! Policy (deterministic): a line is taken from warehouses in order of their `priority`
//! (lower first, ties by warehouse code), as much as each one has, until the line is
//! covered — so stock concentrates in the preferred warehouse and a line is split only when
//! that warehouse cannot cover it. All lines are allocated or none is.
//!
//! Concurrency: the stock rows are read `FOR UPDATE` (PostgreSQL; in a fixed order, so two
//! checkouts cannot deadlock) or under the write lock that `begin_write` takes (SQLite), and
//! every UPDATE repeats the availability guard, so no interleaving can oversell. The CHECK
//! constraint on `stock_levels` is the last line of defence.

use super::availability;
use crate::common::clock::now;
use crate::error::{ApiError, ApiResult};
use crate::inventory::events::StockUpdate;
use entities::{stock_level, warehouse};
use sea_orm::sea_query::{Expr, ExprTrait, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
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

/// A successful allocation and the events it recorded in the outbox.
#[derive(Debug)]
pub struct Allocated {
    pub allocations: Vec<Allocation>,
    pub events: Vec<StockUpdate>,
}

/// Allocates every request, or nothing: on shortage nothing is written and the shortages
/// are returned. Run it inside `begin_write`'s transaction and commit on success.
pub async fn allocate(
    txn: &DatabaseTransaction,
    requests: &[Request],
) -> ApiResult<Result<Allocated, Vec<Shortage>>> {
    // Quantities per variant, in a fixed order (lock order).
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
        return Ok(Ok(Allocated {
            allocations: Vec::new(),
            events: Vec::new(),
        }));
    }
    let levels = lock_levels(txn, wanted.keys().copied()).await?;
    let ranks = warehouse_ranks(txn).await?;
    let (plan, shortages) = plan(&wanted, &levels, &ranks);
    if !shortages.is_empty() {
        return Ok(Err(shortages));
    }
    for allocation in &plan {
        let reserved = Expr::col(stock_level::Column::Allocated).add(allocation.quantity);
        let updated = stock_level::Entity::update_many()
            .col_expr(stock_level::Column::Allocated, reserved)
            .col_expr(stock_level::Column::UpdatedAt, Expr::value(now()))
            .filter(stock_level::Column::VariantId.eq(allocation.variant_id))
            .filter(stock_level::Column::WarehouseId.eq(allocation.warehouse_id))
            .filter(
                Expr::col(stock_level::Column::OnHand)
                    .sub(Expr::col(stock_level::Column::Allocated))
                    .gte(allocation.quantity),
            )
            .exec(txn)
            .await?;
        if updated.rows_affected == 0 {
            // Only possible if the rows were not locked as they should be; refuse safely.
            return Ok(Err(vec![Shortage {
                variant_id: allocation.variant_id,
                requested: wanted.get(&allocation.variant_id).copied().unwrap_or(0),
                available: 0,
            }]));
        }
    }
    let variants: Vec<Uuid> = wanted.keys().copied().collect();
    let events = availability::record_changes(txn, &variants).await?;
    Ok(Ok(Allocated {
        allocations: plan,
        events,
    }))
}

/// Gives allocated units back (an order was cancelled or its payment declined).
pub async fn release(
    txn: &DatabaseTransaction,
    allocations: &[Allocation],
) -> ApiResult<Vec<StockUpdate>> {
    let allocated = Expr::col(stock_level::Column::Allocated);
    settle(txn, allocations, |q| {
        vec![(stock_level::Column::Allocated, allocated.clone().sub(q))]
    })
    .await
}

/// Ships allocated units: they leave both `allocated` and `on_hand`.
pub async fn fulfil(
    txn: &DatabaseTransaction,
    allocations: &[Allocation],
) -> ApiResult<Vec<StockUpdate>> {
    let allocated = Expr::col(stock_level::Column::Allocated);
    let on_hand = Expr::col(stock_level::Column::OnHand);
    settle(txn, allocations, |q| {
        vec![
            (stock_level::Column::Allocated, allocated.clone().sub(q)),
            (stock_level::Column::OnHand, on_hand.clone().sub(q)),
        ]
    })
    .await
}

/// Applies `changes(quantity)` to each allocation's row, guarded by `allocated >= quantity`.
async fn settle(
    txn: &DatabaseTransaction,
    allocations: &[Allocation],
    changes: impl Fn(i32) -> Vec<(stock_level::Column, Expr)>,
) -> ApiResult<Vec<StockUpdate>> {
    let mut variants = Vec::new();
    for allocation in allocations {
        let mut update = stock_level::Entity::update_many()
            .col_expr(stock_level::Column::UpdatedAt, Expr::value(now()));
        for (column, value) in changes(allocation.quantity) {
            update = update.col_expr(column, value);
        }
        let updated = update
            .filter(stock_level::Column::VariantId.eq(allocation.variant_id))
            .filter(stock_level::Column::WarehouseId.eq(allocation.warehouse_id))
            .filter(stock_level::Column::Allocated.gte(allocation.quantity))
            .exec(txn)
            .await?;
        if updated.rows_affected == 0 {
            return Err(ApiError::Internal(format!(
                "allocation of {} units of {} in {} is not held",
                allocation.quantity, allocation.variant_id, allocation.warehouse_id
            )));
        }
        if !variants.contains(&allocation.variant_id) {
            variants.push(allocation.variant_id);
        }
    }
    availability::record_changes(txn, &variants).await
}

/// The stock rows of `variants`, locked for this transaction on PostgreSQL.
async fn lock_levels(
    txn: &DatabaseTransaction,
    variants: impl Iterator<Item = Uuid>,
) -> ApiResult<Vec<stock_level::Model>> {
    let mut query = stock_level::Entity::find()
        .filter(stock_level::Column::VariantId.is_in(variants))
        .order_by_asc(stock_level::Column::VariantId)
        .order_by_asc(stock_level::Column::WarehouseId);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock(LockType::Update);
    }
    Ok(query.all(txn).await?)
}

/// Each warehouse's place in the allocation order.
async fn warehouse_ranks(txn: &DatabaseTransaction) -> ApiResult<HashMap<Uuid, usize>> {
    let warehouses: Vec<(Uuid, i32, String)> = warehouse::Entity::find()
        .select_only()
        .columns([
            warehouse::Column::Id,
            warehouse::Column::Priority,
            warehouse::Column::Code,
        ])
        .into_tuple()
        .all(txn)
        .await?;
    let mut ordered = warehouses;
    ordered.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    Ok(ordered
        .into_iter()
        .enumerate()
        .map(|(rank, (id, _, _))| (id, rank))
        .collect())
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
