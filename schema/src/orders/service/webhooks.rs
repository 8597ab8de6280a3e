//! What a payment provider tells us afterwards (through `/webhooks/payments/{provider}`,
//! whose signature the server checked): a pending payment succeeded or failed.
//!
//! Idempotent: each provider event id is recorded once (`payment_webhook_events`) with the
//! answer it got; a repeated delivery gets that answer again without doing anything, and the
//! transitions themselves only apply to a PLACED order, so a late or reordered notification
//! cannot undo anything. A notification that breaks a rule (a reference too long for the
//! column, or another payment's reference) is refused with a 4xx and recorded as refused:
//! answering 500 would have the provider retry it forever.

use super::lifecycle::{self, Detail};
use super::money::refunds;
use super::records;
use super::transitions::OrderAction;
use crate::common::clock::now;
use crate::common::text;
use crate::error::ApiResult;
use crate::payments::{Done, Outcome};
use crate::unit_of_work::{Write, Writer};
use entities::enums::{OrderPaymentStatus, RefundStatus};
use entities::{order, refund};
use entities::{payment, payment_webhook_event};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::fmt;
use uuid::Uuid;

/// Longest event id and payment reference (their columns are `varchar(255)`).
const MAX_ID_LEN: usize = 255;
/// Longest failure reason kept in the order's history.
const MAX_REASON_LEN: usize = 1_000;

/// A provider's notification, as its JSON body says.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The provider's event id (deduplication key).
    pub id: String,
    /// `payment.succeeded`, `payment.failed`, `payment.canceled` (an authorization was
    /// released at the provider), `refund.succeeded` or `refund.failed`.
    #[serde(rename = "type")]
    pub kind: String,
    pub order_id: Uuid,
    /// The provider's payment id.
    pub reference: Option<String>,
    /// Why it failed (shown in the order's history).
    pub reason: Option<String>,
    /// `payment.succeeded`: minor units captured, when the provider says (a partial capture).
    #[serde(default)]
    pub amount: Option<i64>,
    /// `refund.*`: our refund's id (the provider keeps it as metadata).
    #[serde(default)]
    pub refund_id: Option<Uuid>,
}

/// Why a notification was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The event id is empty, too long or not one line of text (it cannot be recorded).
    InvalidEventId,
    InvalidReference,
    InvalidReason,
    /// Another payment of this provider already has this reference.
    ReferenceInUse,
}

impl Refusal {
    /// The HTTP status it is answered with (and recorded under).
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidEventId => 400,
            Self::InvalidReference | Self::InvalidReason => 422,
            Self::ReferenceInUse => 409,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidEventId => "the event id must be one line of 1 to 255 characters",
            Self::InvalidReference => "the reference must be one line of 1 to 255 characters",
            Self::InvalidReason => "the reason must be one line of at most 1000 characters",
            Self::ReferenceInUse => "this reference belongs to another payment",
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    Applied,
    /// Seen before, or the order had already moved on: nothing changed.
    AlreadyDone,
    /// No order with a payment by this provider.
    UnknownOrder,
    UnknownKind,
    /// Refused now (and recorded, unless the event id itself is unusable).
    Refused(Refusal),
    /// A redelivery of an event refused before: the answer it got then.
    RefusedBefore {
        status: u16,
        message: String,
    },
}

/// Handles one notification in one unit of work: the event is recorded with its answer and
/// the transition applied together, so a failure leaves neither behind (the provider's retry
/// is processed afresh).
pub async fn handle(
    writer: &Writer,
    provider: &str,
    notification: &Notification,
) -> ApiResult<Handled> {
    if !KINDS.contains(&notification.kind.as_str()) {
        return Ok(Handled::UnknownKind);
    }
    if text::required_line(&notification.id, MAX_ID_LEN).as_deref() != Ok(&notification.id) {
        return Ok(Handled::Refused(Refusal::InvalidEventId));
    }
    let db = writer.db();
    let paid_through_provider = payment::Entity::find()
        .filter(payment::Column::OrderId.eq(notification.order_id))
        .filter(payment::Column::Provider.eq(provider))
        .one(db)
        .await?
        .is_some();
    if !paid_through_provider {
        return Ok(Handled::UnknownOrder);
    }
    let refusal = refusal(db, provider, notification).await?;
    let mut write = writer.begin().await?;
    if !record(&write, provider, &notification.id, refusal).await? {
        drop(write);
        return earlier_answer(db, provider, &notification.id).await;
    }
    if let Some(refusal) = refusal {
        write.commit().await?;
        tracing::warn!(provider, event = %notification.id, %refusal, "payment webhook refused");
        return Ok(Handled::Refused(refusal));
    }
    records::lock_order(&write, notification.order_id).await?;
    if notification.kind.starts_with("refund.") {
        return settle_refund(write, notification).await;
    }
    let (action, detail) = transition_for(writer, notification).await?;
    match lifecycle::run(&mut write, notification.order_id, action, detail).await {
        Ok(outcome) => {
            write.commit().await?;
            Ok(if outcome.is_ok() {
                Handled::Applied
            } else {
                Handled::AlreadyDone
            })
        }
        // Another payment took the reference between the check and the write: the unit is
        // spoilt (PostgreSQL aborts it), so the refusal is recorded by a unit of its own.
        Err(err) if err.is_unique_violation() => {
            drop(write);
            let refusal = Refusal::ReferenceInUse;
            let write = writer.begin().await?;
            record(&write, provider, &notification.id, Some(refusal)).await?;
            write.commit().await?;
            Ok(Handled::Refused(refusal))
        }
        Err(err) => Err(err),
    }
}

/// The notification kinds understood.
const KINDS: [&str; 5] = [
    "payment.succeeded",
    "payment.failed",
    "payment.canceled",
    "refund.succeeded",
    "refund.failed",
];

/// The order transition a payment notification asks for.
async fn transition_for(
    writer: &Writer,
    notification: &Notification,
) -> ApiResult<(OrderAction, Detail)> {
    let reason = || {
        notification
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
    };
    Ok(match notification.kind.as_str() {
        "payment.succeeded" => (
            OrderAction::MarkPaid,
            Detail {
                note: notification
                    .reference
                    .as_ref()
                    .map(|r| format!("payment {r}")),
                reference: notification.reference.clone(),
                captured: notification.amount,
                ..Detail::default()
            },
        ),
        // Released at the provider: an authorization is voided, anything else never paid.
        "payment.canceled" => {
            let authorized = order::Entity::find_by_id(notification.order_id)
                .one(writer.db())
                .await?
                .is_some_and(|o| o.payment_status == OrderPaymentStatus::Authorized);
            let action = if authorized {
                OrderAction::Void
            } else {
                OrderAction::Decline
            };
            let note =
                reason().unwrap_or_else(|| "the payment was canceled at the provider".into());
            (
                action,
                Detail {
                    note: Some(note),
                    ..Detail::default()
                },
            )
        }
        _ => (
            OrderAction::Decline,
            Detail {
                note: Some(reason().unwrap_or_else(|| "the payment failed".into())),
                ..Detail::default()
            },
        ),
    })
}

/// A refund's outcome reported by the provider: settles the PENDING refund it names.
async fn settle_refund(mut write: Write, notification: &Notification) -> ApiResult<Handled> {
    let Some(refund_id) = notification.refund_id else {
        write.commit().await?;
        return Ok(Handled::AlreadyDone);
    };
    let Some(recorded) = refund::Entity::find_by_id(refund_id)
        .one(write.txn())
        .await?
        .filter(|r| r.order_id == notification.order_id)
    else {
        write.commit().await?;
        return Ok(Handled::UnknownOrder);
    };
    let failed_now = notification.kind == "refund.failed";
    if recorded.status == RefundStatus::Succeeded && failed_now {
        // A refund can fail after succeeding (the card was closed): the money did not go
        // back after all. Nothing here undoes a settled refund; staff must reconcile.
        tracing::warn!(
            refund = %refund_id,
            order = %notification.order_id,
            "the provider reports a refund recorded as succeeded has failed; reconcile it"
        );
    }
    let outcome = if notification.kind == "refund.succeeded" {
        Outcome::Succeeded(Done {
            reference: notification.reference.clone(),
        })
    } else {
        Outcome::Declined {
            reason: notification
                .reason
                .clone()
                .unwrap_or_else(|| "the refund failed".into()),
        }
    };
    let changed = refunds::settle(&mut write, refund_id, outcome).await?;
    write.commit().await?;
    Ok(if changed {
        Handled::Applied
    } else {
        Handled::AlreadyDone
    })
}

/// What is wrong with the notification's content, if anything.
async fn refusal(
    db: &DatabaseConnection,
    provider: &str,
    notification: &Notification,
) -> ApiResult<Option<Refusal>> {
    if let Some(reason) = &notification.reason
        && text::optional_line(Some(reason), MAX_REASON_LEN).is_err()
    {
        return Ok(Some(Refusal::InvalidReason));
    }
    let Some(reference) = &notification.reference else {
        return Ok(None);
    };
    if text::required_line(reference, MAX_ID_LEN).as_deref() != Ok(reference) {
        return Ok(Some(Refusal::InvalidReference));
    }
    // Only a success stores the reference; the unique (provider, reference) index backs this.
    if notification.kind == "payment.succeeded" {
        let taken = payment::Entity::find()
            .filter(payment::Column::Provider.eq(provider))
            .filter(payment::Column::ProviderReference.eq(reference.as_str()))
            .filter(payment::Column::OrderId.ne(notification.order_id))
            .one(db)
            .await?
            .is_some();
        if taken {
            return Ok(Some(Refusal::ReferenceInUse));
        }
    }
    Ok(None)
}

/// Records the event with the answer it gets; false when it was recorded before.
async fn record(
    write: &Write,
    provider: &str,
    event_id: &str,
    refusal: Option<Refusal>,
) -> ApiResult<bool> {
    let inserted = payment_webhook_event::Entity::insert(payment_webhook_event::ActiveModel {
        provider: Set(provider.to_owned()),
        event_id: Set(event_id.to_owned()),
        received_at: Set(now()),
        answer_status: Set(refusal.map_or(200, |r| i32::from(r.status()))),
        answer_message: Set(refusal.map(|r| r.to_string())),
    })
    .on_conflict(
        OnConflict::columns([
            payment_webhook_event::Column::Provider,
            payment_webhook_event::Column::EventId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(write.txn())
    .await?;
    Ok(inserted > 0)
}

/// The answer a redelivered event gets: what it got the first time.
async fn earlier_answer(
    db: &DatabaseConnection,
    provider: &str,
    event_id: &str,
) -> ApiResult<Handled> {
    let earlier =
        payment_webhook_event::Entity::find_by_id((provider.to_owned(), event_id.to_owned()))
            .one(db)
            .await?;
    Ok(match earlier {
        Some(event) if event.answer_status != 200 => Handled::RefusedBefore {
            status: u16::try_from(event.answer_status).unwrap_or(400),
            message: event.answer_message.unwrap_or_default(),
        },
        _ => Handled::AlreadyDone,
    })
}
