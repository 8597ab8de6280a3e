//! The mail sender: claims due jobs, renders and sends each outside any transaction, and
//! records the outcome. One runs in every replica; the queue's lease keeps them from sending
//! a mail twice. It is woken when the relay queued mail, and otherwise looks at the queue
//! when the next retry is due (at least every [`IDLE_CHECK`], for mail queued on a request's
//! own unit of work). Nothing here ever holds up a request.

use super::content::{self, Content};
use super::mail::Mail;
use super::mailer::{self, MailError, Mailer};
use super::queue;
use super::settings::{MailSettings, RetryPolicy};
use super::suppressions;
use super::templates::{TemplateError, Templates};
use crate::common::clock::now;
use crate::error::ApiResult;
use crate::notifications::MailStats;
use crate::unit_of_work::Writer;
use entities::mail_job;
use lettre::message::Mailbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The longest the sender sleeps without looking at the queue.
pub const IDLE_CHECK: Duration = Duration::from_secs(10);
/// Jobs claimed at a time: small, so a lease never outlives the sends it covers.
const BATCH: u64 = 16;
/// Longest pause after the database failed.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Why one attempt failed.
#[derive(Debug, thiserror::Error)]
enum AttemptError {
    /// A template that does not render (an override with a mistake): retried, so a fixed
    /// file still sends the mail.
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl AttemptError {
    fn is_permanent(&self) -> bool {
        match self {
            AttemptError::Template(_) => false,
            AttemptError::Mail(err) => err.is_permanent(),
        }
    }
}

pub struct MailWorker {
    writer: Writer,
    mailer: Arc<dyn Mailer>,
    templates: Arc<Templates>,
    settings: MailSettings,
    from: Mailbox,
    stats: Arc<MailStats>,
    woken: Arc<Notify>,
}

impl MailWorker {
    /// A sender through `mailer`, woken by `woken` (the consumer's), counting in `stats`.
    pub fn new(
        writer: Writer,
        mailer: Arc<dyn Mailer>,
        settings: MailSettings,
        stats: Arc<MailStats>,
        woken: Arc<Notify>,
    ) -> Result<Self, MailError> {
        let from = mailer::mailbox(&settings.from)?;
        let templates = Arc::new(Templates::new(settings.templates_dir.clone()));
        Ok(Self {
            writer,
            mailer,
            templates,
            settings,
            from,
            stats,
            woken,
        })
    }

    /// Sends until `shutdown` resolves (finishing the mail in hand).
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            let pause = match self.send_due().await {
                Ok(n) if n as u64 >= BATCH => Duration::ZERO,
                Ok(_) => {
                    failures = 0;
                    self.until_next_due().await
                }
                Err(err) => {
                    failures = failures.saturating_add(1);
                    let backoff = Duration::from_millis(100)
                        .saturating_mul(2u32.saturating_pow(failures.min(6)))
                        .min(MAX_BACKOFF);
                    tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "mail sender failed; retrying");
                    backoff
                }
            };
            if pause.is_zero() {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.woken.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// How long until the next job is due (at most `IDLE_CHECK`).
    async fn until_next_due(&self) -> Duration {
        match queue::next_due(self.writer.db()).await {
            Ok(Some(due)) => (due - now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .clamp(Duration::from_millis(10), IDLE_CHECK),
            Ok(None) => IDLE_CHECK,
            Err(err) => {
                tracing::warn!(error = %err, "mail sender: reading the queue failed");
                MAX_BACKOFF
            }
        }
    }

    /// Sends one batch of due mail; returns how many jobs were claimed.
    pub async fn send_due(&self) -> ApiResult<usize> {
        let jobs = queue::claim(&self.writer, BATCH).await?;
        for job in &jobs {
            self.deliver(job).await?;
        }
        Ok(jobs.len())
    }

    async fn deliver(&self, job: &mail_job::Model) -> ApiResult<()> {
        let mail: Mail = match serde_json::from_value(job.payload.clone()) {
            Ok(mail) => mail,
            Err(err) => {
                // Written by another version; retrying will not help.
                let why = format!("the job's payload cannot be read: {err}");
                tracing::error!(job = %job.id, template = %job.template, error = %err, "undecodable mail job");
                self.give_up(job, &why).await?;
                return Ok(());
            }
        };
        if mail.is_marketing()
            && suppressions::is_suppressed(self.writer.db(), &job.recipient).await?
        {
            self.stats.skipped();
            return queue::mark_skipped(&self.writer, job, "the address unsubscribed").await;
        }
        let context =
            match content::read(&self.writer, &self.settings, &job.recipient, &mail).await? {
                Content::Ready(context) => context,
                Content::Skip(why) => {
                    self.stats.skipped();
                    tracing::info!(job = %job.id, template = %job.template, why, "mail skipped");
                    return queue::mark_skipped(&self.writer, job, why).await;
                }
                Content::Later(wait) => return queue::postpone(&self.writer, job, wait).await,
            };
        match self.attempt(job, &mail, &context).await {
            Ok(()) => {
                self.stats.sent();
                tracing::info!(job = %job.id, template = %job.template, via = self.mailer.kind(), "mail sent");
                queue::mark_sent(&self.writer, job, mail.carries_secret()).await
            }
            Err(err) => {
                self.stats.send_error();
                let policy = if err.is_permanent() {
                    // Refused for good: bounce now rather than ask again for hours.
                    RetryPolicy {
                        max_attempts: 0,
                        ..self.settings.retry
                    }
                } else {
                    self.settings.retry
                };
                let gave_up =
                    queue::mark_failed(&self.writer, job, &err.to_string(), &policy).await?;
                if gave_up {
                    self.stats.failed();
                    tracing::error!(job = %job.id, template = %job.template, attempts = job.attempts, error = %err, "mail failed for good");
                } else {
                    tracing::warn!(job = %job.id, template = %job.template, attempts = job.attempts, error = %err, "mail not sent; will retry");
                }
                Ok(())
            }
        }
    }

    async fn attempt(
        &self,
        job: &mail_job::Model,
        mail: &Mail,
        context: &serde_json::Value,
    ) -> Result<(), AttemptError> {
        let rendered = self.templates.render(mail.template(), context)?;
        let message = mailer::message(&self.from, &job.recipient, rendered)?;
        self.mailer.send(&message).await?;
        Ok(())
    }

    async fn give_up(&self, job: &mail_job::Model, why: &str) -> ApiResult<()> {
        let last = RetryPolicy {
            max_attempts: 0,
            ..self.settings.retry
        };
        queue::mark_failed(&self.writer, job, why, &last).await?;
        self.stats.failed();
        Ok(())
    }
}
