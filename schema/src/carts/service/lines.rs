//! Adding, changing and removing cart lines. Each call is one write transaction on the
//! locked cart: it validates every requested line against the catalog and stock as the
//! transaction sees them, and either applies all of them or none (user errors).

use super::CartRules;
use super::access;
use super::view::{self, CartView, VariantFacts};
use crate::common::clock::now;
use crate::common::money::CurrencyCode;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::ApiResult;
use crate::unit_of_work::{Write, Writer};
use entities::enums::ProductStatus;
use entities::{cart, cart_line};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// Most units of one variant a line may hold.
pub const MAX_LINE_QUANTITY: i32 = 999;

pub type Outcome = Result<CartView, Vec<UserError>>;

/// A requested line: add `quantity` of `variant_id`.
#[derive(Clone, Copy, Debug)]
pub struct NewLine {
    pub variant_id: Uuid,
    pub quantity: i32,
}

/// A requested change: set line `line_id` to `quantity` (0 removes it).
#[derive(Clone, Copy, Debug)]
pub struct LineQuantity {
    pub line_id: Uuid,
    pub quantity: i32,
}

/// Adds lines; a variant already in the cart gets the quantities added.
pub async fn add(
    writer: &Writer,
    rules: &CartRules,
    cart_id: Uuid,
    account: Option<Uuid>,
    new_lines: &[NewLine],
) -> ApiResult<Outcome> {
    let (write, cart) = match access::begin_change(writer, cart_id, account).await? {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let outcome = add_locked(write.txn(), rules, cart, new_lines, "lines").await?;
    finish(write, outcome).await
}

/// `add` on a cart the caller has locked in `txn`.
async fn add_locked(
    txn: &impl ConnectionTrait,
    rules: &CartRules,
    cart: cart::Model,
    new_lines: &[NewLine],
    field: &str,
) -> ApiResult<Outcome> {
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let adding = variants_of(new_lines);
    let (lines, facts) = view::lines_and_facts(txn, cart.id, currency, &adding).await?;
    add_to(txn, rules, cart, currency, (lines, facts), new_lines, field).await
}

/// `add` on a cart created in `txn`, which has no lines yet: only the added variants are
/// read (nothing at all when there are none).
pub async fn add_to_new(
    txn: &impl ConnectionTrait,
    rules: &CartRules,
    cart: cart::Model,
    new_lines: &[NewLine],
    field: &str,
) -> ApiResult<Outcome> {
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let facts = view::variant_facts(txn, &variants_of(new_lines), currency).await?;
    add_to(
        txn,
        rules,
        cart,
        currency,
        (Vec::new(), facts),
        new_lines,
        field,
    )
    .await
}

/// The variants `new_lines` name, each once.
fn variants_of(new_lines: &[NewLine]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = new_lines.iter().map(|l| l.variant_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Applies `new_lines` to the cart's `lines`, judged by `facts` (which cover both).
async fn add_to(
    txn: &impl ConnectionTrait,
    rules: &CartRules,
    cart: cart::Model,
    currency: CurrencyCode,
    (mut lines, facts): (Vec<cart_line::Model>, VariantFacts),
    new_lines: &[NewLine],
    field: &str,
) -> ApiResult<Outcome> {
    let mut changed: Vec<usize> = Vec::new();
    let mut errors = Vec::new();
    let at = now();
    for (index, request) in new_lines.iter().enumerate() {
        let index = index.to_string();
        let path = |leaf: &'static str| [field, index.as_str(), leaf];
        if let Some(problem) = quantity_problem(request.quantity, 1) {
            errors.push(UserError::new(
                &path("quantity"),
                ErrorCode::Invalid,
                problem,
            ));
            continue;
        }
        if let Some(error) = sellability(&facts, request.variant_id, currency, &path("variantId")) {
            errors.push(error);
            continue;
        }
        let position = match lines
            .iter()
            .position(|l| l.variant_id == request.variant_id)
        {
            Some(position) => position,
            None => {
                lines.push(cart_line::Model {
                    // Time-ordered, so lines added together keep their order.
                    id: Uuid::now_v7(),
                    cart_id: cart.id,
                    variant_id: request.variant_id,
                    quantity: 0,
                    created_at: at,
                    updated_at: at,
                });
                lines.len() - 1
            }
        };
        let line = &mut lines[position];
        let wanted = line.quantity.saturating_add(request.quantity);
        if wanted > MAX_LINE_QUANTITY {
            errors.push(UserError::new(
                &path("quantity"),
                ErrorCode::Invalid,
                format!(
                    "a line holds at most {MAX_LINE_QUANTITY} units; the cart would have {wanted}"
                ),
            ));
            continue;
        }
        let available = facts
            .available
            .get(&request.variant_id)
            .copied()
            .unwrap_or(0);
        if i64::from(wanted) > available {
            let mut error = out_of_stock(&path("quantity"), available);
            let in_cart = wanted - request.quantity;
            if in_cart > 0 {
                error.message = format!("{} (the cart already has {in_cart})", error.message);
            }
            errors.push(error);
            continue;
        }
        line.quantity = wanted;
        line.updated_at = at;
        changed.push(position);
    }
    if lines.len() > rules.max_lines {
        errors.push(UserError::new(
            &[field],
            ErrorCode::Invalid,
            format!("a cart holds at most {} different items", rules.max_lines),
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    changed.sort_unstable();
    changed.dedup();
    save_quantities(txn, changed.iter().map(|&i| &lines[i])).await?;
    let view = assemble(txn, rules, cart, currency, lines, &facts).await?;
    Ok(within_range(view, field))
}

/// Sets line quantities; 0 removes a line.
pub async fn update(
    writer: &Writer,
    rules: &CartRules,
    cart_id: Uuid,
    account: Option<Uuid>,
    changes: &[LineQuantity],
) -> ApiResult<Outcome> {
    let (write, cart) = match access::begin_change(writer, cart_id, account).await? {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let (mut lines, facts) = view::lines_and_facts(write.txn(), cart.id, currency, &[]).await?;
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    let mut raised = false;
    let at = now();
    for (index, change) in changes.iter().enumerate() {
        let index = index.to_string();
        let path = |leaf: &'static str| ["lines", index.as_str(), leaf];
        let Some(position) = lines.iter().position(|l| l.id == change.line_id) else {
            errors.push(UserError::new(
                &path("id"),
                ErrorCode::NotFound,
                "no such line in this cart",
            ));
            continue;
        };
        if let Some(problem) = quantity_problem(change.quantity, 0) {
            errors.push(UserError::new(
                &path("quantity"),
                ErrorCode::Invalid,
                problem,
            ));
            continue;
        }
        let line = &mut lines[position];
        if change.quantity == 0 {
            removed.push(line.id);
            continue;
        }
        // Raising a quantity needs the stock; lowering one is always allowed, even when the
        // line is already over what is available.
        if change.quantity > line.quantity {
            if let Some(error) = sellability(&facts, line.variant_id, currency, &path("id")) {
                errors.push(error);
                continue;
            }
            let available = facts.available.get(&line.variant_id).copied().unwrap_or(0);
            if i64::from(change.quantity) > available {
                errors.push(out_of_stock(&path("quantity"), available));
                continue;
            }
        }
        raised |= change.quantity > line.quantity;
        line.quantity = change.quantity;
        line.updated_at = at;
        changed.push(position);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    changed.sort_unstable();
    changed.dedup();
    save_quantities(write.txn(), changed.iter().map(|&i| &lines[i])).await?;
    delete_lines(write.txn(), cart.id, &removed).await?;
    lines.retain(|l| !removed.contains(&l.id));
    let view = assemble(write.txn(), rules, cart, currency, lines, &facts).await?;
    // Lowering quantities is always allowed: it is the way back into range.
    let outcome = if raised {
        within_range(view, "lines")
    } else {
        Ok(view)
    };
    finish(write, outcome).await
}

/// Removes lines by id; an id not in the cart is a user error.
pub async fn remove(
    writer: &Writer,
    rules: &CartRules,
    cart_id: Uuid,
    account: Option<Uuid>,
    line_ids: &[Uuid],
) -> ApiResult<Outcome> {
    let (write, cart) = match access::begin_change(writer, cart_id, account).await? {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    // The remaining lines' facts are the same before the removal as after it.
    let (mut lines, facts) = view::lines_and_facts(write.txn(), cart.id, currency, &[]).await?;
    let errors: Vec<UserError> = line_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !lines.iter().any(|l| l.id == **id))
        .map(|(i, _)| {
            UserError::new(
                &["lineIds", &i.to_string()],
                ErrorCode::NotFound,
                "no such line in this cart",
            )
        })
        .collect();
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    delete_lines(write.txn(), cart.id, line_ids).await?;
    lines.retain(|l| !line_ids.contains(&l.id));
    let outcome = assemble(write.txn(), rules, cart, currency, lines, &facts).await?;
    finish(write, Ok(outcome)).await
}

/// Commits when the change was accepted; otherwise the unit of work is dropped (rolled back).
pub async fn finish(write: Write, outcome: Outcome) -> ApiResult<Outcome> {
    if outcome.is_ok() {
        write.commit().await?;
    }
    Ok(outcome)
}

fn quantity_problem(quantity: i32, minimum: i32) -> Option<String> {
    (!(minimum..=MAX_LINE_QUANTITY).contains(&quantity))
        .then(|| format!("the quantity must be between {minimum} and {MAX_LINE_QUANTITY}"))
}

fn out_of_stock(path: &[&str], available: i64) -> UserError {
    let message = if available > 0 {
        format!("only {available} available")
    } else {
        "out of stock".to_owned()
    };
    UserError::new(path, ErrorCode::OutOfStock, message)
}

/// Why `variant_id` cannot be put in a cart in `currency`, if it cannot.
fn sellability(
    facts: &VariantFacts,
    variant_id: Uuid,
    currency: CurrencyCode,
    path: &[&str],
) -> Option<UserError> {
    let Some((_, product)) = facts.variants.get(&variant_id) else {
        return Some(UserError::new(
            path,
            ErrorCode::NotFound,
            "no product variant with this id",
        ));
    };
    if product.status != ProductStatus::Active {
        return Some(UserError::new(
            path,
            ErrorCode::Invalid,
            "this product is not for sale",
        ));
    }
    if !facts.prices.contains_key(&variant_id) {
        return Some(UserError::new(
            path,
            ErrorCode::Invalid,
            format!("this product is not sold in {}", currency.as_str()),
        ));
    }
    None
}

/// Writes the lines' quantities: one INSERT … ON CONFLICT for all of them (new lines are
/// inserted, existing ones updated through the (cart, variant) unique key).
pub(super) async fn save_quantities<'a>(
    txn: &impl ConnectionTrait,
    lines: impl Iterator<Item = &'a cart_line::Model>,
) -> ApiResult<()> {
    let rows: Vec<cart_line::ActiveModel> = lines
        .map(|line| cart_line::ActiveModel {
            id: Set(line.id),
            cart_id: Set(line.cart_id),
            variant_id: Set(line.variant_id),
            quantity: Set(line.quantity),
            created_at: Set(line.created_at),
            updated_at: Set(line.updated_at),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    cart_line::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([cart_line::Column::CartId, cart_line::Column::VariantId])
                .update_columns([cart_line::Column::Quantity, cart_line::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

async fn delete_lines(txn: &impl ConnectionTrait, cart_id: Uuid, ids: &[Uuid]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    cart_line::Entity::delete_many()
        .filter(cart_line::Column::CartId.eq(cart_id))
        .filter(cart_line::Column::Id.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Refuses a change that leaves the cart's totals out of range (they would not fit in a
/// 64-bit count of minor units) instead of showing saturated totals.
fn within_range(view: CartView, field: &str) -> Outcome {
    if view.priced.out_of_range {
        return Err(vec![UserError::new(
            &[field],
            ErrorCode::Invalid,
            "the cart's total would be larger than an order can be; add fewer units",
        )]);
    }
    Ok(view)
}

/// The view after a change, from what the change already read (plus the cart's discounts).
async fn assemble(
    txn: &impl ConnectionTrait,
    rules: &CartRules,
    cart: cart::Model,
    currency: CurrencyCode,
    lines: Vec<cart_line::Model>,
    facts: &VariantFacts,
) -> ApiResult<CartView> {
    let discounts = view::discounts_named(txn, &cart.discount_codes.0).await?;
    let rates = rules.shipping_rates.get(txn).await?;
    Ok(view::assemble(
        cart,
        currency,
        lines,
        facts,
        discounts,
        &rates,
        &rules.pricing,
    ))
}
