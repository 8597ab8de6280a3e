//! The queue of mails to send (`mail_jobs`), its only writer.
//!
//! A job is queued once per event and template (a unique index, inserts that meet it do
//! nothing), claimed under a lease so one sender of one replica sends it (`SKIP LOCKED` on
//! PostgreSQL; SQLite serialises writers), then marked SENT, retried later, FAILED after the
//! last attempt, or SKIPPED. A sender that dies holding a job leaves it to be claimed again
//! when the lease ends: a mail may then go out twice, never not at all.

use super::compose::Wanted;
use super::mail::Mail;
use super::settings::RetryPolicy;
use crate::common::clock::now;
use crate::error::{ApiError, ApiResult};
use crate::unit_of_work::{Write, Writer};
use chrono::{DateTime, Utc};
use entities::enums::MailJobStatus;
use entities::mail_job;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::time::Duration;
use uuid::Uuid;

/// How long a claimed job is the claimer's: longer than any send takes (SMTP commands time
/// out after seconds), short enough that a crashed sender's mail goes out soon after.
pub const LEASE: Duration = Duration::from_secs(120);

fn after(duration: Duration) -> DateTime<Utc> {
    now() + chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Rows per statement: eleven parameters each, well under SQLite's limit.
const PER_STATEMENT: usize = 500;

/// Queues the mails each event calls for (event id, mails); those already queued for their
/// event are left alone. The relay hands over a whole batch of events, and their mails go in
/// one statement rather than one per event.
pub async fn enqueue(db: &impl ConnectionTrait, wanted: &[(Uuid, Vec<Wanted>)]) -> ApiResult<()> {
    let at = now();
    let rows = wanted
        .iter()
        .flat_map(|(event_id, mails)| mails.iter().map(move |w| (*event_id, w)))
        .map(|(event_id, w)| {
            let payload = serde_json::to_value(&w.mail)
                .map_err(|e| ApiError::Internal(format!("encoding a mail: {e}")))?;
            Ok(mail_job::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event_id),
                template: Set(w.mail.template().to_owned()),
                recipient: Set(w.recipient.clone()),
                payload: Set(payload),
                status: Set(MailJobStatus::Pending),
                attempts: Set(0),
                last_error: Set(None),
                next_attempt_at: Set(at),
                created_at: Set(at),
                sent_at: Set(None),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    for chunk in rows.chunks(PER_STATEMENT) {
        mail_job::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([mail_job::Column::EventId, mail_job::Column::Template])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Queues `mail` to `recipient` on the caller's unit of work, so it exists exactly when the
/// change asking for it commits (a password reset's token, a staff invitation). The sender
/// finds it at its next look at the queue (within `worker::IDLE_CHECK`).
pub async fn enqueue_on(write: &Write, mail: Mail, recipient: &str) -> ApiResult<Uuid> {
    let event_id = Uuid::now_v7();
    let wanted = vec![Wanted {
        mail,
        recipient: recipient.to_owned(),
    }];
    enqueue(write.txn(), &[(event_id, wanted)]).await?;
    write.mail_queued();
    Ok(event_id)
}

/// Takes up to `limit` due jobs for `LEASE`: each one's attempt is counted and its next
/// attempt moved to the lease's end, so nobody else claims it meanwhile.
pub async fn claim(writer: &Writer, limit: u64) -> ApiResult<Vec<mail_job::Model>> {
    let write = writer.begin().await?;
    let mut query = mail_job::Entity::find()
        .filter(mail_job::Column::Status.eq(MailJobStatus::Pending))
        .filter(mail_job::Column::NextAttemptAt.lte(now()))
        .order_by_asc(mail_job::Column::NextAttemptAt)
        // Time-ordered ids: jobs queued together go in the order of their events.
        .order_by_asc(mail_job::Column::Id)
        .limit(limit);
    if write.txn().get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = query.all(write.txn()).await?;
    if due.is_empty() {
        return Ok(due);
    }
    let until = after(LEASE);
    mail_job::Entity::update_many()
        .col_expr(
            mail_job::Column::Attempts,
            Expr::col(mail_job::Column::Attempts).add(1),
        )
        .col_expr(mail_job::Column::NextAttemptAt, Expr::value(until))
        .filter(mail_job::Column::Id.is_in(due.iter().map(|job| job.id)))
        .exec(write.txn())
        .await?;
    write.commit().await?;
    Ok(due
        .into_iter()
        .map(|job| mail_job::Model {
            attempts: job.attempts.saturating_add(1),
            next_attempt_at: until,
            ..job
        })
        .collect())
}

/// One job's outcome, in a unit of its own.
async fn finish(
    writer: &Writer,
    id: Uuid,
    changes: Vec<(mail_job::Column, Expr)>,
) -> ApiResult<()> {
    let write = writer.begin().await?;
    let mut update = mail_job::Entity::update_many();
    for (column, value) in changes {
        update = update.col_expr(column, value);
    }
    update
        .filter(mail_job::Column::Id.eq(id))
        .filter(mail_job::Column::Status.eq(MailJobStatus::Pending))
        .exec(write.txn())
        .await?;
    write.commit().await
}

/// The server took it. A payload holding a secret (a one-time link) is wiped.
pub async fn mark_sent(writer: &Writer, job: &mail_job::Model, wipe: bool) -> ApiResult<()> {
    let mut changes = vec![
        (mail_job::Column::Status, Expr::value(MailJobStatus::Sent)),
        (mail_job::Column::SentAt, Expr::value(now())),
        (mail_job::Column::LastError, Expr::value(None::<String>)),
    ];
    if wipe {
        let kept = serde_json::json!({ "mail": job.template, "wiped": true });
        changes.push((mail_job::Column::Payload, Expr::value(kept)));
    }
    finish(writer, job.id, changes).await
}

/// Not sent on purpose (`why`).
pub async fn mark_skipped(writer: &Writer, job: &mail_job::Model, why: &str) -> ApiResult<()> {
    let changes = vec![
        (
            mail_job::Column::Status,
            Expr::value(MailJobStatus::Skipped),
        ),
        (mail_job::Column::LastError, Expr::value(why.to_owned())),
    ];
    finish(writer, job.id, changes).await
}

/// Not yet (what it reports is still settling): due again after `wait`, the claim's attempt
/// given back.
pub async fn postpone(writer: &Writer, job: &mail_job::Model, wait: Duration) -> ApiResult<()> {
    let changes = vec![
        (
            mail_job::Column::Attempts,
            Expr::col(mail_job::Column::Attempts).sub(1),
        ),
        (mail_job::Column::NextAttemptAt, Expr::value(after(wait))),
    ];
    finish(writer, job.id, changes).await
}

/// The attempt failed: tried again after the policy's backoff, or FAILED after the last
/// attempt. Returns whether it gave up.
pub async fn mark_failed(
    writer: &Writer,
    job: &mail_job::Model,
    error: &str,
    policy: &RetryPolicy,
) -> ApiResult<bool> {
    let error: String = error.chars().take(2_000).collect();
    let attempts = u32::try_from(job.attempts).unwrap_or(0);
    let gave_up = attempts >= policy.max_attempts;
    let mut changes = vec![(mail_job::Column::LastError, Expr::value(error))];
    if gave_up {
        changes.push((mail_job::Column::Status, Expr::value(MailJobStatus::Failed)));
    } else {
        let next = after(policy.backoff(attempts));
        changes.push((mail_job::Column::NextAttemptAt, Expr::value(next)));
    }
    finish(writer, job.id, changes).await?;
    Ok(gave_up)
}

/// Mails waiting to be sent (due or not).
pub async fn backlog(db: &impl ConnectionTrait) -> ApiResult<u64> {
    Ok(mail_job::Entity::find()
        .filter(mail_job::Column::Status.eq(MailJobStatus::Pending))
        .count(db)
        .await?)
}

/// When the next waiting job is due (`None` when none waits).
pub async fn next_due(db: &impl ConnectionTrait) -> ApiResult<Option<DateTime<Utc>>> {
    Ok(mail_job::Entity::find()
        .select_only()
        .column(mail_job::Column::NextAttemptAt)
        .filter(mail_job::Column::Status.eq(MailJobStatus::Pending))
        .order_by_asc(mail_job::Column::NextAttemptAt)
        .into_tuple()
        .one(db)
        .await?)
}
