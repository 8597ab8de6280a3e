//! Discount rules for staff: what a valid discount is, and creating, changing, deleting one.
//! The per-code usage limit is consumed at checkout (`consume`), atomically.

use crate::common::clock::now;
use crate::common::money::{CurrencyCode, Decimal};
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::unit_of_work::{Write, Writer};
use entities::discount;
use entities::enums::DiscountKind;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeSet;
use uuid::Uuid;

pub const MAX_CODE_LEN: usize = 64;

/// A discount as staff describe it (amounts still decimals).
#[derive(Clone, Debug)]
pub struct DiscountSpec {
    pub code: String,
    pub kind: DiscountKind,
    pub value: Option<Decimal>,
    pub currency: Option<CurrencyCode>,
    pub minimum_subtotal: Option<Decimal>,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub usage_limit: Option<i32>,
    pub active: bool,
}

/// The stored `(value, minimum_subtotal)` in minor units / basis points, or the problems.
fn amounts(spec: &DiscountSpec, errors: &mut Vec<UserError>) -> (i64, Option<i64>) {
    let field = |name: &str| ["input".to_owned(), name.to_owned()];
    let mut push = |name: &str, message: String| {
        let path = field(name);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        errors.push(UserError::new(&path, ErrorCode::Invalid, message));
    };
    let value = match (spec.kind, spec.value) {
        (DiscountKind::FreeShipping, None) => 0,
        (DiscountKind::FreeShipping, Some(v)) if v.to_minor(CurrencyCode::Usd).ok() == Some(0) => 0,
        (DiscountKind::FreeShipping, Some(_)) => {
            push("value", "a free-shipping discount takes no value".into());
            0
        }
        (_, None) => {
            push("value", "give the discount's value".into());
            0
        }
        // Percent with two decimals = basis points (USD's exponent is 2).
        (DiscountKind::Percentage, Some(v)) => match v.to_minor(CurrencyCode::Usd) {
            Ok(bps) if (1..=10_000).contains(&bps) => bps,
            _ => {
                push(
                    "value",
                    "a percentage between 0.01 and 100, at most two decimals".into(),
                );
                0
            }
        },
        (DiscountKind::FixedAmount, Some(v)) => match spec.currency {
            None => {
                push("currencyCode", "a fixed amount needs its currency".into());
                0
            }
            Some(currency) => match v.to_bounded_minor(currency) {
                Ok(minor) if minor > 0 => minor,
                Ok(_) => {
                    push("value", "the amount must be positive".into());
                    0
                }
                Err(message) => {
                    push("value", message);
                    0
                }
            },
        },
    };
    let minimum = match (spec.minimum_subtotal, spec.currency) {
        (None, _) => None,
        (Some(_), None) => {
            push(
                "currencyCode",
                "a minimum subtotal needs its currency".into(),
            );
            None
        }
        (Some(min), Some(currency)) => match min.to_bounded_minor(currency) {
            Ok(minor) if minor >= 0 => Some(minor),
            Ok(_) => {
                push("minimumSubtotal", "cannot be negative".into());
                None
            }
            Err(message) => {
                push("minimumSubtotal", message);
                None
            }
        },
    };
    if let (Some(start), Some(end)) = (spec.starts_at, spec.ends_at)
        && end <= start
    {
        push("endsAt", "must be after startsAt".into());
    }
    if spec.usage_limit.is_some_and(|limit| limit < 1) {
        push(
            "usageLimit",
            "must be at least 1 (leave it out for no limit)".into(),
        );
    }
    (value, minimum)
}

fn clean_code(code: &str) -> Result<String, UserError> {
    let code = code.trim().to_uppercase();
    let valid = !code.is_empty()
        && code.chars().count() <= MAX_CODE_LEN
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(code)
    } else {
        Err(UserError::new(
            &["input", "code"],
            ErrorCode::Invalid,
            format!("use 1 to {MAX_CODE_LEN} letters, digits, dashes or underscores"),
        ))
    }
}

pub async fn create(
    writer: &Writer,
    spec: DiscountSpec,
) -> ApiResult<Result<discount::Model, Vec<UserError>>> {
    let mut errors = Vec::new();
    let code = clean_code(&spec.code).map_err(|e| errors.push(e)).ok();
    let (value, minimum) = amounts(&spec, &mut errors);
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let write = writer.begin().await?;
    let taken = discount::Entity::find()
        .filter(discount::Column::Code.eq(code.as_str()))
        .one(write.txn())
        .await?
        .is_some();
    if taken {
        return Ok(Err(vec![UserError::new(
            &["input", "code"],
            ErrorCode::Taken,
            format!("{code} is already a discount code"),
        )]));
    }
    let at = now();
    let inserted = discount::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code.clone()),
        kind: Set(spec.kind),
        value: Set(value),
        currency_code: Set(spec.currency.map(|c| c.as_str().to_owned())),
        minimum_subtotal: Set(minimum),
        starts_at: Set(spec.starts_at),
        ends_at: Set(spec.ends_at),
        usage_limit: Set(spec.usage_limit),
        usage_count: Set(0),
        active: Set(spec.active),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(write.txn())
    .await;
    match inserted {
        Ok(model) => {
            write.commit().await?;
            Ok(Ok(model))
        }
        // Two creations of one code at once: the unique index decides.
        Err(err) if is_unique_violation(&err) => Ok(Err(vec![UserError::new(
            &["input", "code"],
            ErrorCode::Taken,
            format!("{code} is already a discount code"),
        )])),
        Err(err) => Err(err.into()),
    }
}

/// Changes to an existing discount; `None` keeps a field, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct DiscountChanges {
    pub value: Option<Decimal>,
    pub minimum_subtotal: Option<Option<Decimal>>,
    pub starts_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub ends_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub usage_limit: Option<Option<i32>>,
    pub active: Option<bool>,
}

pub async fn update(
    writer: &Writer,
    id: Uuid,
    changes: DiscountChanges,
) -> ApiResult<Result<discount::Model, Vec<UserError>>> {
    let write = writer.begin().await?;
    let Some(current) = discount::Entity::find_by_id(id).one(write.txn()).await? else {
        return Ok(Err(vec![not_found()]));
    };
    let before = current.clone();
    let currency = current
        .currency_code
        .as_deref()
        .and_then(|c| c.parse().ok());
    let stored_value = |minor: i64| match (current.kind, currency) {
        (DiscountKind::FixedAmount, Some(c)) => Decimal::from_minor(minor, c),
        _ => Decimal::from_minor(minor, CurrencyCode::Usd),
    };
    // The whole discount as it would be, checked by the creation rules.
    let spec = DiscountSpec {
        code: current.code.clone(),
        kind: current.kind,
        value: changes.value.or(Some(stored_value(current.value))),
        currency,
        minimum_subtotal: changes.minimum_subtotal.unwrap_or_else(|| {
            current
                .minimum_subtotal
                .zip(currency)
                .map(|(m, c)| Decimal::from_minor(m, c))
        }),
        starts_at: changes.starts_at.unwrap_or(current.starts_at),
        ends_at: changes.ends_at.unwrap_or(current.ends_at),
        usage_limit: changes.usage_limit.unwrap_or(current.usage_limit),
        active: changes.active.unwrap_or(current.active),
    };
    let mut errors = Vec::new();
    let (value, minimum) = amounts(&spec, &mut errors);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut active = current.into_active_model();
    active.value = Set(value);
    active.minimum_subtotal = Set(minimum);
    active.starts_at = Set(spec.starts_at);
    active.ends_at = Set(spec.ends_at);
    active.usage_limit = Set(spec.usage_limit);
    active.active = Set(spec.active);
    active.updated_at = Set(now());
    let updated = active.update(write.txn()).await?;
    write.audit_target("Discount", updated.id);
    write.audit_change(Some(&before), Some(&updated));
    write.commit().await?;
    Ok(Ok(updated))
}

/// Deletes a discount. Orders keep the code they used (a snapshot); carts holding it show
/// it as no longer valid.
pub async fn delete(writer: &Writer, id: Uuid) -> ApiResult<Result<Uuid, Vec<UserError>>> {
    let write = writer.begin().await?;
    let before = discount::Entity::find_by_id(id).one(write.txn()).await?;
    let deleted = discount::Entity::delete_by_id(id).exec(write.txn()).await?;
    if deleted.rows_affected == 0 {
        return Ok(Err(vec![not_found()]));
    }
    write.audit_target("Discount", id);
    write.audit_change(before.as_ref(), None);
    write.commit().await?;
    Ok(Ok(id))
}

pub async fn list(db: &DatabaseConnection, limit: u64) -> ApiResult<Vec<discount::Model>> {
    Ok(discount::Entity::find()
        .order_by_asc(discount::Column::Code)
        .limit(limit)
        .all(db)
        .await?)
}

/// Uses one of each discount's allowance in one conditional UPDATE (a row's guard is
/// re-checked under its lock), so of concurrent checkouts exactly as many succeed as the
/// limits allow. Returns false when one is used up; the caller rolls back.
pub async fn consume(write: &Write, ids: &[Uuid]) -> ApiResult<bool> {
    let ids: BTreeSet<Uuid> = ids.iter().copied().collect();
    if ids.is_empty() {
        return Ok(true);
    }
    let used = discount::Entity::update_many()
        .col_expr(
            discount::Column::UsageCount,
            Expr::col(discount::Column::UsageCount).add(1),
        )
        .filter(discount::Column::Id.is_in(ids.iter().copied()))
        .filter(
            sea_orm::Condition::any()
                .add(discount::Column::UsageLimit.is_null())
                .add(
                    Expr::col(discount::Column::UsageCount)
                        .lt(Expr::col(discount::Column::UsageLimit)),
                ),
        )
        .exec(write.txn())
        .await?;
    Ok(usize::try_from(used.rows_affected).is_ok_and(|n| n == ids.len()))
}

/// Gives one use back to each discount (an order that used them was cancelled). Never below
/// zero. The caller makes sure each use is given back once (`order_discounts.returned_at`).
pub async fn give_back(write: &Write, ids: &[Uuid]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    discount::Entity::update_many()
        .col_expr(
            discount::Column::UsageCount,
            Expr::col(discount::Column::UsageCount).sub(1),
        )
        .filter(discount::Column::Id.is_in(ids.iter().copied()))
        .filter(discount::Column::UsageCount.gt(0))
        .exec(write.txn())
        .await?;
    Ok(())
}

fn not_found() -> UserError {
    UserError::new(&["id"], ErrorCode::NotFound, "no discount with this id")
}
