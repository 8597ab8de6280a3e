//! Which mails an event calls for, decided in the relay's transaction (`MailConsumer`).
//!
//! Order events say what happened (`OrderEventKind`) but not to which shipment, refund or
//! return; this finds it by time. A history entry and its event share one timestamp
//! (`orders::service::records::record`), the shipment, refund or return it reports was
//! written earlier in the same unit, and units that change one order queue on the order's
//! row (`records::lock_order`). So the newest one at or before the event's time is the one
//! the event reports, however late the relay reads it (after a crash, say) and whatever
//! happened to the order since.

use super::mail::{Mail, ReturnStep};
use super::suppressions;
use crate::error::ApiResult;
use crate::events::DomainEvent;
use crate::orders::events::OrderUpdate;
use chrono::{DateTime, Utc};
use entities::enums::{OrderEventKind, OrderStatus, RefundStatus};
use entities::{fulfillment, order, order_return, refund};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A mail to queue for an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    pub mail: Mail,
    pub recipient: String,
}

/// A mail an event calls for, before its recipient is known.
enum Pending {
    /// To the order's email, read for the whole batch at once.
    ToOrder {
        mail: Mail,
        order_id: Uuid,
    },
    Ready(Wanted),
}

/// The mails each of `events` calls for (none for most events), by event id; events that
/// call for none are left out. The order mails' recipients are read in one statement per
/// [`ORDERS_PER_READ`] orders, not one per event.
pub async fn mails_for_all(
    db: &impl ConnectionTrait,
    events: &[DomainEvent],
) -> ApiResult<Vec<(Uuid, Vec<Wanted>)>> {
    let mut pending = Vec::new();
    for event in events {
        if let Some(mail) = pending_mail(db, event).await? {
            pending.push((event.id(), mail));
        }
    }
    let order_ids: Vec<Uuid> = pending
        .iter()
        .filter_map(|(_, mail)| match mail {
            Pending::ToOrder { order_id, .. } => Some(*order_id),
            Pending::Ready(_) => None,
        })
        .collect();
    let emails = emails_of(db, &order_ids).await?;
    let mut all = Vec::new();
    for (event_id, mail) in pending {
        let wanted = match mail {
            Pending::Ready(wanted) => wanted,
            Pending::ToOrder { mail, order_id } => match emails.get(&order_id) {
                Some(email) => Wanted {
                    mail,
                    recipient: email.clone(),
                },
                None => continue,
            },
        };
        if deliverable(db, &wanted).await? {
            all.push((event_id, vec![wanted]));
        }
    }
    Ok(all)
}

/// Orders per read of their emails (one bind parameter each).
const ORDERS_PER_READ: usize = 500;

/// The email of each of `order_ids` that exists.
async fn emails_of(
    db: &impl ConnectionTrait,
    order_ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, String>> {
    let mut emails = HashMap::with_capacity(order_ids.len());
    for chunk in order_ids.chunks(ORDERS_PER_READ) {
        let rows: Vec<(Uuid, String)> = order::Entity::find()
            .select_only()
            .column(order::Column::Id)
            .column(order::Column::Email)
            .filter(order::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        emails.extend(rows);
    }
    Ok(emails)
}

/// Whether `wanted` should be queued at all.
async fn deliverable(db: &impl ConnectionTrait, wanted: &Wanted) -> ApiResult<bool> {
    // An order whose customer deleted their account keeps no address to write to.
    if wanted.recipient == crate::orders::service::privacy::ERASED_EMAIL {
        return Ok(false);
    }
    // Checked again when it is sent; skipping here saves the job.
    Ok(!(wanted.mail.is_marketing() && suppressions::is_suppressed(db, &wanted.recipient).await?))
}

/// The mail `event` calls for, if any.
async fn pending_mail(
    db: &impl ConnectionTrait,
    event: &DomainEvent,
) -> ApiResult<Option<Pending>> {
    Ok(match event {
        DomainEvent::OrderUpdated(update) => {
            order_mail(db, update).await?.map(|mail| Pending::ToOrder {
                mail,
                order_id: update.order_id,
            })
        }
        DomainEvent::BackInStock(notice) => Some(Pending::Ready(Wanted {
            mail: Mail::BackInStock {
                variant_id: notice.variant_uuid,
                product_id: notice.product_uuid,
                sku: notice.sku.clone(),
            },
            recipient: notice.email.clone(),
        })),
        DomainEvent::CartAbandoned(cart) => Some(Pending::Ready(Wanted {
            mail: Mail::AbandonedCart {
                cart_id: cart.cart_id,
            },
            recipient: cart.email.clone(),
        })),
        DomainEvent::StockChanged(_)
        | DomainEvent::CatalogChanged(_)
        | DomainEvent::SessionRevoked(_)
        | DomainEvent::CustomerCreated(_)
        | DomainEvent::ContentChanged(_)
        | DomainEvent::ShippingChanged(_) => None,
    })
}

/// The order mail for `update`, if its kind calls for one (its recipient is the order's).
async fn order_mail(db: &impl ConnectionTrait, update: &OrderUpdate) -> ApiResult<Option<Mail>> {
    let Some(kind) = update.kind else {
        return Ok(None);
    };
    let order_id = update.order_id;
    let at = update.occurred_at;
    let step = |step| async move {
        Ok::<_, crate::error::ApiError>(Some(Mail::ReturnUpdate {
            order_id,
            return_id: return_at(db, order_id, at).await?,
            step,
        }))
    };
    let mail = match kind {
        OrderEventKind::Placed => Some(Mail::OrderConfirmation { order_id }),
        OrderEventKind::Paid => Some(Mail::PaymentReceived { order_id }),
        OrderEventKind::PartiallyFulfilled | OrderEventKind::Fulfilled => {
            shipment_at(db, order_id, at)
                .await?
                .map(|fulfillment_ids| Mail::OrderShipped {
                    order_id,
                    fulfillment_ids,
                    complete: kind == OrderEventKind::Fulfilled,
                })
        }
        OrderEventKind::Delivered => Some(Mail::OrderDelivered {
            order_id,
            fulfillment_id: delivered_at(db, order_id, at).await?,
            // The order was all shipped, and this was the last parcel out.
            complete: update.status == OrderStatus::Fulfilled
                && !anything_out_at(db, order_id, at).await?,
        }),
        OrderEventKind::Refunded | OrderEventKind::PartiallyRefunded => Some(Mail::RefundIssued {
            order_id,
            refund_id: refund_at(db, order_id, at).await?,
        }),
        OrderEventKind::ReturnRequested => step(ReturnStep::Requested).await?,
        OrderEventKind::ReturnApproved => step(ReturnStep::Approved).await?,
        OrderEventKind::ReturnDeclined => step(ReturnStep::Declined).await?,
        OrderEventKind::ReturnReceived => step(ReturnStep::Received).await?,
        // Staff's bookkeeping, or news the shopper gets elsewhere (a cancelled order's
        // refund mail, the tracking page).
        OrderEventKind::Cancelled
        | OrderEventKind::PaymentDeclined
        | OrderEventKind::PaymentAuthorized
        | OrderEventKind::PaymentCaptured
        | OrderEventKind::PaymentVoided
        | OrderEventKind::RefundFailed
        | OrderEventKind::PaymentOperationFailed
        | OrderEventKind::FulfillmentCancelled
        | OrderEventKind::TrackingUpdated
        | OrderEventKind::Note
        | OrderEventKind::ReturnClosed => None,
    };
    Ok(mail)
}

/// The shipment an event at `at` reports: the fulfilments written together (one per
/// warehouse, one timestamp) newest at or before `at`; `None` when there is none, or when
/// staff shipped it with `notifyCustomer: false`.
async fn shipment_at(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<Option<Vec<Uuid>>> {
    let rows: Vec<(Uuid, DateTime<Utc>, bool)> = fulfillment::Entity::find()
        .select_only()
        .columns([
            fulfillment::Column::Id,
            fulfillment::Column::CreatedAt,
            fulfillment::Column::NotifyCustomer,
        ])
        .filter(fulfillment::Column::OrderId.eq(order_id))
        .filter(fulfillment::Column::CreatedAt.lte(at))
        .order_by_desc(fulfillment::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?;
    let Some(&(_, newest, _)) = rows.first() else {
        return Ok(None);
    };
    let shipment: Vec<_> = rows.into_iter().filter(|r| r.1 == newest).collect();
    if shipment.iter().any(|&(_, _, notify)| !notify) {
        return Ok(None);
    }
    Ok(Some(shipment.into_iter().map(|(id, _, _)| id).collect()))
}

/// The shipment delivered newest at or before `at`.
async fn delivered_at(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<Option<Uuid>> {
    Ok(fulfillment::Entity::find()
        .select_only()
        .column(fulfillment::Column::Id)
        .filter(fulfillment::Column::OrderId.eq(order_id))
        .filter(fulfillment::Column::DeliveredAt.lte(at))
        .order_by_desc(fulfillment::Column::DeliveredAt)
        .into_tuple()
        .one(db)
        .await?)
}

/// Whether a parcel of the order was on its way at `at`: shipped by then, and neither
/// delivered nor called back by then.
async fn anything_out_at(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<bool> {
    let out: Option<Uuid> = fulfillment::Entity::find()
        .select_only()
        .column(fulfillment::Column::Id)
        .filter(fulfillment::Column::OrderId.eq(order_id))
        .filter(fulfillment::Column::CreatedAt.lte(at))
        .filter(
            Condition::any()
                .add(fulfillment::Column::DeliveredAt.is_null())
                .add(fulfillment::Column::DeliveredAt.gt(at)),
        )
        .filter(
            Condition::any()
                .add(fulfillment::Column::CancelledAt.is_null())
                .add(fulfillment::Column::CancelledAt.gt(at)),
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(out.is_some())
}

/// The refund settled newest at or before `at`.
async fn refund_at(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<Option<Uuid>> {
    Ok(refund::Entity::find()
        .select_only()
        .column(refund::Column::Id)
        .filter(refund::Column::OrderId.eq(order_id))
        .filter(refund::Column::Status.eq(RefundStatus::Succeeded))
        .filter(refund::Column::UpdatedAt.lte(at))
        .order_by_desc(refund::Column::UpdatedAt)
        .into_tuple()
        .one(db)
        .await?)
}

/// The return changed newest at or before `at`; when it has changed again since (a relay
/// reading late), the one asked for newest before `at`.
async fn return_at(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<Option<Uuid>> {
    for column in [
        order_return::Column::UpdatedAt,
        order_return::Column::CreatedAt,
    ] {
        let found = order_return::Entity::find()
            .select_only()
            .column(order_return::Column::Id)
            .filter(order_return::Column::OrderId.eq(order_id))
            .filter(column.lte(at))
            .order_by_desc(column)
            .into_tuple()
            .one(db)
            .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}
