//! `orderUpdated(orderId, accessKey)`: the order's owner, staff, or a guest holding one of
//! its access keys follow its status live.

use super::query::may_read;
use super::service::access_keys;
use super::types::Order;
use crate::common::ids::parse_id;
use crate::context::ContextExt;
use crate::customers::sessions::until_session_ends;
use crate::error::ApiError;
use crate::events::{BusMessage, DomainEvent};
use async_graphql::{Context, ID, Result, Subscription};
use entities::order;
use futures_util::Stream;
use futures_util::stream;
use sea_orm::EntityTrait;
use tokio::sync::broadcast::error::RecvError;

#[derive(Default)]
pub struct OrderSubscription;

#[Subscription]
impl OrderSubscription {
    /// The order each time it changes (placed, paid, fulfilled, cancelled, refunded). After
    /// a gap (the subscriber fell behind, or the server lost its event link) the current
    /// order is sent again; compare `status` and `updatedAt`. When the session the
    /// connection signed in with ends (the access token expires, or it is signed out), the
    /// subscription ends with an `UNAUTHENTICATED` error. A guest passes the order's
    /// `accessKey` (from `checkoutComplete`) instead of signing in; anyone else gets
    /// `NOT_FOUND`, as for an order that does not exist.
    async fn order_updated(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        access_key: Option<String>,
    ) -> Result<impl Stream<Item = Result<Order>> + use<>> {
        let id = parse_id(&order_id, "orderId")?;
        let state = ctx.state()?;
        let viewer = ctx.request()?.viewer.clone();
        let slot = ctx.request()?.subscription_slot()?;
        let found = order::Entity::find_by_id(id)
            .one(&state.db)
            .await
            .map_err(ApiError::from)?;
        let allowed = match (&found, access_key.as_deref()) {
            (None, _) => false,
            (Some(order), _) if may_read(&viewer, order) => true,
            (Some(_), Some(key)) => access_keys::opens(&state.db, key, id).await?,
            (Some(_), None) => false,
        };
        if !allowed {
            return Err(ApiError::NotFound("no order with this id".into()).into());
        }
        let receiver = state.events.subscribe();
        let db = state.db.clone();
        let session_end = ctx.request()?.session_end(state);
        let updates = stream::unfold(
            (receiver, db, slot),
            move |(mut receiver, db, slot)| async move {
                loop {
                    let refetch = match receiver.recv().await {
                        Ok(BusMessage::Event(DomainEvent::OrderUpdated(update))) => {
                            update.order_id == id
                        }
                        Ok(BusMessage::Event(_)) => false,
                        Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => true,
                        Err(RecvError::Closed) => return None,
                    };
                    if !refetch {
                        continue;
                    }
                    // Events say that it changed; the row says what it is now.
                    match order::Entity::find_by_id(id).one(&db).await {
                        Ok(Some(current)) => return Some((Order(current), (receiver, db, slot))),
                        Ok(None) => return None,
                        Err(err) => {
                            tracing::warn!(error = %err, "orderUpdated: reading the order failed")
                        }
                    }
                }
            },
        );
        Ok(until_session_ends(updates, session_end))
    }
}
