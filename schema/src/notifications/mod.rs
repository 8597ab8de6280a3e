//! Email notifications (SPEC §9 "Email"): the shopper hears about their order, and whoever
//! asked hears that a variant is back or that their cart is waiting.
//!
//! How a mail flows, and why each step is where it is:
//!
//! 1. A change commits with its domain event in the outbox (`crate::unit_of_work`).
//! 2. The relay hands every event to [`MailConsumer`] **in the relay's transaction**, which
//!    decides which events call for a mail (`service::compose`) and queues a `mail_jobs` row
//!    for each. `(event_id, template)` is unique, so an event the relay sees twice (a crash
//!    between publishing and committing) is mailed once, and a mail exists exactly when its
//!    event was relayed.
//! 3. After the commit the consumer wakes the [`MailWorker`](service::worker::MailWorker),
//!    which claims due jobs under a lease in a short unit, then reads what the mail shows,
//!    renders it (`service::templates`) and sends it (`service::mailer`: SMTP, or a Maildir
//!    when no SMTP server is configured) **outside any transaction**, and records SENT or a
//!    retry with backoff; after the last attempt, FAILED. Nothing here runs in a request.
//!
//! Marketing mail (back in stock, abandoned cart) carries an unsubscribe link whose token is
//! signed with the server's mail secret; `emailUnsubscribe(token)` records the address in
//! `mail_suppressions`, and those mails skip it from then on. Order mail is transactional and
//! always sent.

mod consumer;
pub mod mutation;
pub mod service;
mod stats;

pub use consumer::MailConsumer;
pub use service::links::MailSecret;
pub use service::mail::Mail;
pub use service::settings::{MailSettings, RetryPolicy};
pub use stats::{MailCounts, MailStats};
