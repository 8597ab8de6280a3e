//! Account deletion's part in mail: the mails to the address (sent or waiting: a waiting one
//! would reach someone who asked to be forgotten) and its unsubscribe record.

use crate::error::ApiResult;
use crate::unit_of_work::Write;
use entities::{mail_job, mail_suppression};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Whether `email` unsubscribed from marketing mail, for the data export.
pub async fn export_address(db: &impl ConnectionTrait, email: &str) -> ApiResult<bool> {
    super::suppressions::is_suppressed(db, email).await
}

pub async fn erase_address(write: &mut Write, email: &str) -> ApiResult<()> {
    let txn = write.txn();
    mail_job::Entity::delete_many()
        .filter(mail_job::Column::Recipient.eq(email))
        .exec(txn)
        .await?;
    mail_suppression::Entity::delete_many()
        .filter(mail_suppression::Column::Email.eq(email.trim().to_lowercase()))
        .exec(txn)
        .await?;
    Ok(())
}
