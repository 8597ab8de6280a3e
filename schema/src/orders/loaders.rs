//! Batched reads of orders and their lines, history, payments, refunds, shipments and returns
//! (one statement per kind for any number of orders in a response).

use async_graphql::dataloader::Loader;
use entities::{
    fulfillment, fulfillment_line, order, order_event, order_line, order_return, payment, refund,
    refund_line, return_line,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

pub struct OrderLoader {
    db: DatabaseConnection,
}

impl OrderLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinesOfOrder(pub Uuid);

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventsOfOrder(pub Uuid);

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PaymentsOfOrder(pub Uuid);

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct RefundsOfOrder(pub Uuid);

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct FulfillmentsOfOrder(pub Uuid);

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReturnsOfOrder(pub Uuid);

/// An order by id (a return's order); who may see it is the caller's business.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrderById(pub Uuid);

/// Groups `rows` by order id, every key present (orders without rows get an empty list).
fn group<K: Copy + Eq + std::hash::Hash, T>(
    keys: &[K],
    rows: Vec<T>,
    key_of: impl Fn(&T) -> K,
) -> HashMap<K, Vec<T>> {
    let mut map: HashMap<K, Vec<T>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        map.entry(key_of(&row)).or_default().push(row);
    }
    map
}

impl Loader<LinesOfOrder> for OrderLoader {
    type Value = Vec<order_line::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[LinesOfOrder],
    ) -> Result<HashMap<LinesOfOrder, Self::Value>, Self::Error> {
        let rows = order_line::Entity::find()
            .filter(order_line::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(order_line::Column::Position)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |row| LinesOfOrder(row.order_id)))
    }
}

impl Loader<EventsOfOrder> for OrderLoader {
    type Value = Vec<order_event::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[EventsOfOrder],
    ) -> Result<HashMap<EventsOfOrder, Self::Value>, Self::Error> {
        let rows = order_event::Entity::find()
            .filter(order_event::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(order_event::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |row| EventsOfOrder(row.order_id)))
    }
}

impl Loader<PaymentsOfOrder> for OrderLoader {
    type Value = Vec<payment::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[PaymentsOfOrder],
    ) -> Result<HashMap<PaymentsOfOrder, Self::Value>, Self::Error> {
        let rows = payment::Entity::find()
            .filter(payment::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(payment::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |row| PaymentsOfOrder(row.order_id)))
    }
}

/// Refunds with their lines: two statements for any number of orders.
impl Loader<RefundsOfOrder> for OrderLoader {
    type Value = Vec<(refund::Model, Vec<refund_line::Model>)>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[RefundsOfOrder],
    ) -> Result<HashMap<RefundsOfOrder, Self::Value>, Self::Error> {
        let refunds = refund::Entity::find()
            .filter(refund::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(refund::Column::CreatedAt)
            .order_by_asc(refund::Column::Id)
            .all(&self.db)
            .await?;
        let mut lines = if refunds.is_empty() {
            HashMap::new()
        } else {
            let rows = refund_line::Entity::find()
                .filter(refund_line::Column::RefundId.is_in(refunds.iter().map(|r| r.id)))
                .all(&self.db)
                .await?;
            let ids: Vec<Uuid> = refunds.iter().map(|r| r.id).collect();
            group(&ids, rows, |row| row.refund_id)
        };
        let with_lines = refunds
            .into_iter()
            .map(|r| {
                let of_refund = lines.remove(&r.id).unwrap_or_default();
                (r, of_refund)
            })
            .collect();
        Ok(group(keys, with_lines, |(r, _)| RefundsOfOrder(r.order_id)))
    }
}

/// Shipments with their lines: two statements for any number of orders.
impl Loader<FulfillmentsOfOrder> for OrderLoader {
    type Value = Vec<(fulfillment::Model, Vec<fulfillment_line::Model>)>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[FulfillmentsOfOrder],
    ) -> Result<HashMap<FulfillmentsOfOrder, Self::Value>, Self::Error> {
        let shipments = fulfillment::Entity::find()
            .filter(fulfillment::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(fulfillment::Column::Id)
            .all(&self.db)
            .await?;
        let mut lines = if shipments.is_empty() {
            HashMap::new()
        } else {
            let rows = fulfillment_line::Entity::find()
                .filter(
                    fulfillment_line::Column::FulfillmentId.is_in(shipments.iter().map(|f| f.id)),
                )
                .all(&self.db)
                .await?;
            let ids: Vec<Uuid> = shipments.iter().map(|f| f.id).collect();
            group(&ids, rows, |row| row.fulfillment_id)
        };
        let with_lines = shipments
            .into_iter()
            .map(|f| {
                let of_shipment = lines.remove(&f.id).unwrap_or_default();
                (f, of_shipment)
            })
            .collect();
        Ok(group(keys, with_lines, |(f, _)| {
            FulfillmentsOfOrder(f.order_id)
        }))
    }
}

/// Returns with their lines: two statements for any number of orders.
impl Loader<ReturnsOfOrder> for OrderLoader {
    type Value = Vec<(order_return::Model, Vec<return_line::Model>)>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ReturnsOfOrder],
    ) -> Result<HashMap<ReturnsOfOrder, Self::Value>, Self::Error> {
        let returns = order_return::Entity::find()
            .filter(order_return::Column::OrderId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(order_return::Column::Id)
            .all(&self.db)
            .await?;
        let mut lines = if returns.is_empty() {
            HashMap::new()
        } else {
            let rows = return_line::Entity::find()
                .filter(return_line::Column::ReturnId.is_in(returns.iter().map(|r| r.id)))
                .all(&self.db)
                .await?;
            let ids: Vec<Uuid> = returns.iter().map(|r| r.id).collect();
            group(&ids, rows, |row| row.return_id)
        };
        let with_lines = returns
            .into_iter()
            .map(|r| {
                let of_return = lines.remove(&r.id).unwrap_or_default();
                (r, of_return)
            })
            .collect();
        Ok(group(keys, with_lines, |(r, _)| ReturnsOfOrder(r.order_id)))
    }
}

impl Loader<OrderById> for OrderLoader {
    type Value = order::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[OrderById],
    ) -> Result<HashMap<OrderById, Self::Value>, Self::Error> {
        let rows = order::Entity::find()
            .filter(order::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|o| (OrderById(o.id), o)).collect())
    }
}
