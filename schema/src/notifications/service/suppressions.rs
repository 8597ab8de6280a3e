//! Addresses that unsubscribed from marketing mail (`mail_suppressions`, lowercase): the
//! only writer of that table.

use crate::common::clock::now;
use crate::error::ApiResult;
use crate::unit_of_work::Writer;
use entities::mail_suppression;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

fn normal(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether `email` unsubscribed.
pub async fn is_suppressed(db: &impl ConnectionTrait, email: &str) -> ApiResult<bool> {
    Ok(mail_suppression::Entity::find_by_id(normal(email))
        .one(db)
        .await?
        .is_some())
}

/// Records that `email` wants no more marketing mail (again: no change).
pub async fn suppress(writer: &Writer, email: &str) -> ApiResult<()> {
    let write = writer.begin().await?;
    mail_suppression::Entity::insert(mail_suppression::ActiveModel {
        email: Set(normal(email)),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(mail_suppression::Column::Email)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(write.txn())
    .await?;
    write.commit().await
}
