//! What a payment provider tells us afterwards (through `/webhooks/payments/{provider}`,
//! whose signature the server checked): a pending payment succeeded or failed.
//!
//! Idempotent: each provider event id is recorded once (`payment_webhook_events`); a
//! repeated delivery is acknowledged without doing anything, and the transitions themselves
//! only apply to a PLACED order, so a late or reordered notification cannot undo anything.

use super::lifecycle;
use crate::common::clock::now;
use crate::error::ApiResult;
use crate::events::EventHub;
use entities::{payment, payment_webhook_event};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// A provider's notification, as its JSON body says.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The provider's event id (deduplication key).
    pub id: String,
    /// `payment.succeeded` or `payment.failed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub order_id: Uuid,
    /// The provider's payment id.
    pub reference: Option<String>,
    /// Why it failed (shown in the order's history).
    pub reason: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    Applied,
    /// Seen before, or the order had already moved on: nothing changed.
    AlreadyDone,
    /// No order with a payment by this provider.
    UnknownOrder,
    UnknownKind,
}

pub async fn handle(
    db: &DatabaseConnection,
    hub: &EventHub,
    provider: &str,
    notification: &Notification,
) -> ApiResult<Handled> {
    if !matches!(
        notification.kind.as_str(),
        "payment.succeeded" | "payment.failed"
    ) {
        return Ok(Handled::UnknownKind);
    }
    let paid_through_provider = payment::Entity::find()
        .filter(payment::Column::OrderId.eq(notification.order_id))
        .filter(payment::Column::Provider.eq(provider))
        .one(db)
        .await?
        .is_some();
    if !paid_through_provider {
        return Ok(Handled::UnknownOrder);
    }
    let first_time = payment_webhook_event::Entity::insert(payment_webhook_event::ActiveModel {
        provider: Set(provider.to_owned()),
        event_id: Set(notification.id.clone()),
        received_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([
            payment_webhook_event::Column::Provider,
            payment_webhook_event::Column::EventId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?
        > 0;
    if !first_time {
        return Ok(Handled::AlreadyDone);
    }
    let outcome = match notification.kind.as_str() {
        "payment.succeeded" => lifecycle::record_payment(
            db,
            notification.order_id,
            notification.reference.as_deref(),
            None,
        )
        .await
        .map(|paid| paid.is_some()),
        _ => {
            let reason = notification
                .reason
                .as_deref()
                .unwrap_or("the payment failed");
            lifecycle::decline(db, notification.order_id, reason, &[])
                .await
                .map(|cancelled| cancelled.is_some())
        }
    };
    match outcome {
        Ok(changed) => {
            hub.wake_relay();
            Ok(if changed {
                Handled::Applied
            } else {
                Handled::AlreadyDone
            })
        }
        Err(err) => {
            // Forget the event so the provider's retry is processed.
            let _ = payment_webhook_event::Entity::delete_by_id((
                provider.to_owned(),
                notification.id.clone(),
            ))
            .exec(db)
            .await;
            Err(err)
        }
    }
}
