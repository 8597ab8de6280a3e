//! Where mail goes: an SMTP server (`SMTP_URL`), or, with none configured, a Maildir under
//! `DATA_DIR/mail` that a developer opens with any mail reader (the embedded default, like
//! the embedded database and search index). Both behind one small trait, chosen once at
//! start; the sender neither knows nor cares which.

use super::templates::Rendered;
use futures_util::future::BoxFuture;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// Why a mail did not go out.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the address {address:?} is not valid: {reason}")]
    Address { address: String, reason: String },
    #[error("building the message: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the Maildir {dir}: {reason}")]
    Maildir { dir: String, reason: String },
}

impl MailError {
    /// Whether trying again cannot help: the server refused the mail for good (5xx: no such
    /// mailbox, say), or the address is malformed. Anything else (a closed port, a timeout,
    /// 4xx) may pass later.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::Address { .. } | MailError::Message(_) => true,
            MailError::Smtp(err) => err.is_permanent(),
            MailError::Maildir { .. } => false,
        }
    }
}

/// Sends built messages.
pub trait Mailer: Send + Sync {
    /// For logs: "smtp" or "maildir".
    fn kind(&self) -> &'static str;

    fn send<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), MailError>>;
}

/// A mailbox from text ("Shop <shop@example.com>" or a bare address).
pub fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    address
        .trim()
        .parse()
        .map_err(|err: lettre::address::AddressError| MailError::Address {
            address: address.to_owned(),
            reason: err.to_string(),
        })
}

/// The message: plain text and HTML alternatives of one rendered mail.
pub fn message(from: &Mailbox, to: &str, rendered: Rendered) -> Result<Message, MailError> {
    Ok(Message::builder()
        .from(from.clone())
        .to(mailbox(to)?)
        .subject(rendered.subject)
        .multipart(MultiPart::alternative_plain_html(
            rendered.text,
            rendered.html,
        ))?)
}

/// An SMTP server, connections pooled.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    /// `url` as lettre reads it: `smtp://host:port` (plain, for a relay on the same network),
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://user:pass@host:465` (TLS). Every
    /// command times out after `timeout`, so a stuck server delays a mail, never the sender.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(timeout))
            .build();
        Ok(Self { transport })
    }
}

impl Mailer for SmtpMailer {
    fn kind(&self) -> &'static str {
        "smtp"
    }

    fn send<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), MailError>> {
        Box::pin(async move {
            self.transport.send(message.clone()).await?;
            Ok(())
        })
    }
}

/// A Maildir: each mail a file in `new/`.
pub struct MaildirMailer {
    dir: PathBuf,
}

impl MaildirMailer {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

impl Mailer for MaildirMailer {
    fn kind(&self) -> &'static str {
        "maildir"
    }

    fn send<'a>(&'a self, message: &'a Message) -> BoxFuture<'a, Result<(), MailError>> {
        let dir = self.dir.clone();
        let bytes = message.formatted();
        Box::pin(async move {
            let failed = |reason: String| MailError::Maildir {
                dir: dir.display().to_string(),
                reason,
            };
            // The maildir crate writes synchronously: off the async workers.
            let target = dir.clone();
            let stored = tokio::task::spawn_blocking(move || {
                let maildir = maildir::Maildir::from(target);
                maildir.create_dirs().map_err(|e| e.to_string())?;
                maildir.store_new(&bytes).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| failed(e.to_string()))?;
            stored.map(drop).map_err(failed)
        })
    }
}
