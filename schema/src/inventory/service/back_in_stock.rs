//! Back-in-stock subscriptions: who waits for a variant that is out of stock, and telling
//! each of them once when it is back.
//!
//! Subscribing is only for a variant that is out of stock now, so a later stock change that
//! makes it available is its return. The relay hands every event to `BackInStockNotifier`
//! in its own transaction (an `OutboxConsumer`): for each variant an event shows available,
//! the waiting subscriptions are marked notified with one guarded UPDATE and a BACK_IN_STOCK
//! event is recorded per subscription, in that transaction. So each subscriber is told
//! exactly once (the mark and the events commit together), a second restock finds nobody
//! waiting, and no request pays for it: checkout and stock changes run no extra statement.

use super::availability;
use crate::common::clock::now;
use crate::common::email;
use crate::common::user_error::{ErrorCode, UserError};
use crate::error::{ApiResult, is_unique_violation};
use crate::events::DomainEvent;
use crate::events::relay::OutboxConsumer;
use crate::inventory::events::BackInStockNotice;
use crate::unit_of_work::{Write, Writer};
use entities::enums::ProductStatus;
use entities::{back_in_stock_subscription as subscription, product, product_variant};
use futures_util::future::BoxFuture;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// Who asks to be told.
pub struct Subscriber<'a> {
    /// As typed; normalised here.
    pub email: &'a str,
    /// The signed-in customer asking, if any.
    pub customer: Option<Uuid>,
}

/// Records that `subscriber` waits for `variant_id`. Asking again while waiting changes
/// nothing and succeeds. Refused: an unknown variant or one not for sale (`NOT_FOUND`), one
/// in stock now (`INVALID`: add it to the cart instead), a malformed email.
pub async fn subscribe(
    writer: &Writer,
    variant_id: Uuid,
    subscriber: Subscriber<'_>,
) -> ApiResult<Result<(), UserError>> {
    let email = match email::normalise(subscriber.email) {
        Ok(email) => email,
        Err(problem) => {
            let message = problem.to_string();
            return Ok(Err(UserError::new(&["email"], ErrorCode::Invalid, message)));
        }
    };
    let write = writer.begin().await?;
    let for_sale = product_variant::Entity::find_by_id(variant_id)
        .find_also_related(product::Entity)
        .one(write.txn())
        .await?
        .and_then(|(_, product)| product)
        .is_some_and(|product| product.status == ProductStatus::Active);
    if !for_sale {
        return Ok(Err(UserError::new(
            &["variantId"],
            ErrorCode::NotFound,
            "no variant for sale with this id",
        )));
    }
    let available = availability::totals(write.txn(), &[variant_id]).await?;
    if available.get(&variant_id).copied().unwrap_or(0) > 0 {
        return Ok(Err(UserError::new(
            &["variantId"],
            ErrorCode::Invalid,
            "this variant is in stock now: add it to the cart",
        )));
    }
    let waiting = subscription::Entity::find()
        .filter(subscription::Column::VariantId.eq(variant_id))
        .filter(subscription::Column::Email.eq(email.as_str()))
        .filter(subscription::Column::NotifiedAt.is_null())
        .one(write.txn())
        .await?;
    if waiting.is_some() {
        return Ok(Ok(()));
    }
    let inserted = subscription::ActiveModel {
        id: Set(Uuid::now_v7()),
        variant_id: Set(variant_id),
        email: Set(email),
        customer_id: Set(subscriber.customer),
        created_at: Set(now()),
        notified_at: Set(None),
    }
    .insert(write.txn())
    .await;
    match inserted {
        Ok(_) => {
            write.commit().await?;
            Ok(Ok(()))
        }
        // The same address asked twice at once: the unique index kept one, which is the point.
        Err(err) if is_unique_violation(&err) => Ok(Ok(())),
        Err(err) => Err(err.into()),
    }
}

/// Raises BACK_IN_STOCK for the waiting subscriptions of variants that events show
/// available, in the relay's transaction.
#[derive(Default)]
pub struct BackInStockNotifier;

impl OutboxConsumer for BackInStockNotifier {
    fn name(&self) -> &'static str {
        "back-in-stock"
    }

    fn consume<'a>(
        &'a self,
        write: &'a mut Write,
        events: &'a [DomainEvent],
    ) -> BoxFuture<'a, ApiResult<bool>> {
        Box::pin(notify(write, events))
    }
}

async fn notify(write: &mut Write, events: &[DomainEvent]) -> ApiResult<bool> {
    // The latest availability per variant that came back in this batch.
    let mut back: HashMap<Uuid, (i32, Uuid, String)> = HashMap::new();
    for event in events {
        if let DomainEvent::StockChanged(update) = event {
            if update.available > 0 {
                let facts = (update.available, update.product_uuid, update.sku.clone());
                back.insert(update.variant_uuid, facts);
            } else {
                back.remove(&update.variant_uuid);
            }
        }
    }
    if back.is_empty() {
        return Ok(false);
    }
    let at = now();
    // Guarded: a subscription another relay already notified is not returned again.
    let notified = subscription::Entity::update_many()
        .col_expr(subscription::Column::NotifiedAt, Expr::value(at))
        .filter(subscription::Column::VariantId.is_in(back.keys().copied()))
        .filter(subscription::Column::NotifiedAt.is_null())
        .exec_with_returning(write.txn())
        .await?;
    for subscription in &notified {
        let Some((available, product, sku)) = back.get(&subscription.variant_id) else {
            continue;
        };
        write.record(DomainEvent::BackInStock(BackInStockNotice {
            event_id: Uuid::now_v7(),
            subscription_id: subscription.id,
            variant_uuid: subscription.variant_id,
            product_uuid: *product,
            sku: sku.clone(),
            email: subscription.email.clone(),
            available: *available,
            occurred_at: at,
        }));
    }
    Ok(!notified.is_empty())
}
