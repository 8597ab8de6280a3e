//! Signing in with a guest cart: its lines join the customer's cart.
//!
//! - The customer's cart is their most recently changed active cart. Without one, the guest
//!   cart simply becomes theirs.
//! - Otherwise each guest line is added to the customer's cart: quantities add up, capped by
//!   what is available (and the per-line maximum); lines that cannot be sold in the
//!   customer's cart's currency, or are not for sale, or no longer have any stock, are left
//!   out, as are lines beyond the cart's line limit. Discount codes and buyer details the
//!   customer's cart lacks are taken from the guest cart. The guest cart is then emptied
//!   and converted, so its id stops working for further changes.

use super::CartRules;
use super::lines::{self, MAX_LINE_QUANTITY};
use super::view::{self, VariantFacts};
use crate::common::clock::now;
use crate::common::money::CurrencyCode;
use crate::common::transaction::for_update;
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use entities::enums::{CartStatus, ProductStatus};
use entities::{cart, cart_line};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// Merges guest cart `guest_id` into `account`'s cart; returns the customer's cart id, or
/// `None` when the guest cart is unknown, already someone's, or converted (then nothing
/// happens: signing in must not fail because of a stale cart id).
pub async fn merge_guest_cart(
    writer: &Writer,
    rules: &CartRules,
    guest_id: Uuid,
    account: Uuid,
) -> ApiResult<Option<Uuid>> {
    let write = writer.begin().await?;
    let guest = cart::Entity::find_by_id(guest_id)
        .filter(cart::Column::CustomerId.is_null())
        .filter(cart::Column::Status.eq(CartStatus::Active));
    let guest = for_update(guest, write.txn()).one(write.txn()).await?;
    let Some(guest) = guest else {
        return Ok(None);
    };
    let current = cart::Entity::find()
        .filter(cart::Column::CustomerId.eq(account))
        .filter(cart::Column::Status.eq(CartStatus::Active))
        .order_by_desc(cart::Column::UpdatedAt);
    let current = for_update(current, write.txn()).one(write.txn()).await?;
    let Some(current) = current else {
        // No cart of their own: the guest cart becomes theirs.
        let mut adopted = guest.into_active_model();
        adopted.customer_id = Set(Some(account));
        adopted.updated_at = Set(now());
        let adopted = adopted.update(write.txn()).await?;
        write.commit().await?;
        return Ok(Some(adopted.id));
    };

    let currency = CurrencyCode::stored(&current.currency_code)?;
    let guest_lines = view::lines_of(write.txn(), guest.id).await?;
    let mut lines = view::lines_of(write.txn(), current.id).await?;
    let mut ids: Vec<Uuid> = lines
        .iter()
        .chain(&guest_lines)
        .map(|l| l.variant_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let facts = view::variant_facts(write.txn(), &ids, currency).await?;
    let at = now();
    let mut changed = Vec::new();
    for guest_line in &guest_lines {
        if !sellable(&facts, guest_line.variant_id) {
            continue;
        }
        let available = facts
            .available
            .get(&guest_line.variant_id)
            .copied()
            .unwrap_or(0);
        let cap = i32::try_from(available)
            .unwrap_or(i32::MAX)
            .min(MAX_LINE_QUANTITY);
        let position = match lines
            .iter()
            .position(|l| l.variant_id == guest_line.variant_id)
        {
            Some(position) => position,
            None if lines.len() < rules.max_lines && cap > 0 => {
                lines.push(cart_line::Model {
                    id: Uuid::now_v7(),
                    cart_id: current.id,
                    variant_id: guest_line.variant_id,
                    quantity: 0,
                    created_at: at,
                    updated_at: at,
                });
                lines.len() - 1
            }
            None => continue,
        };
        let line = &mut lines[position];
        // Never lower what the customer already had, even if stock fell since.
        let merged = line
            .quantity
            .saturating_add(guest_line.quantity)
            .min(cap)
            .max(line.quantity);
        if merged != line.quantity {
            line.quantity = merged;
            line.updated_at = at;
            changed.push(line.clone());
        }
    }
    lines::save_quantities(write.txn(), changed.iter()).await?;

    let mut target = current.clone().into_active_model();
    if current.discount_codes.0.is_empty() && !guest.discount_codes.0.is_empty() {
        target.discount_codes = Set(guest.discount_codes.clone());
    }
    if current.email.is_none() && guest.email.is_some() {
        target.email = Set(guest.email.clone());
    }
    if current.shipping_address.is_none() && guest.shipping_address.is_some() {
        target.shipping_address = Set(guest.shipping_address.clone());
    }
    if current.billing_address.is_none() && guest.billing_address.is_some() {
        target.billing_address = Set(guest.billing_address.clone());
    }
    // The shipping choice goes with the address it was made for.
    if current.shipping_address.is_none() && guest.shipping_address.is_some()
        || current.shipping_method_id.is_none()
    {
        target.shipping_method_id = Set(guest.shipping_method_id.or(current.shipping_method_id));
    }
    target.updated_at = Set(at);
    target.update(write.txn()).await?;

    cart_line::Entity::delete_many()
        .filter(cart_line::Column::CartId.eq(guest.id))
        .exec(write.txn())
        .await?;
    let mut emptied = guest.into_active_model();
    emptied.status = Set(CartStatus::Converted);
    emptied.updated_at = Set(at);
    emptied.update(write.txn()).await?;
    write.commit().await?;
    Ok(Some(current.id))
}

/// The customer's current cart: their most recently changed active one.
pub async fn current_cart(
    db: &impl sea_orm::ConnectionTrait,
    account: Uuid,
) -> ApiResult<Option<cart::Model>> {
    Ok(cart::Entity::find()
        .filter(cart::Column::CustomerId.eq(account))
        .filter(cart::Column::Status.eq(CartStatus::Active))
        .order_by_desc(cart::Column::UpdatedAt)
        .one(db)
        .await?)
}

fn sellable(facts: &VariantFacts, variant_id: Uuid) -> bool {
    facts
        .variants
        .get(&variant_id)
        .is_some_and(|(_, product)| product.status == ProductStatus::Active)
        && facts.prices.contains_key(&variant_id)
}
