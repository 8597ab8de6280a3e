//! The rules of email notifications: which mails an event calls for (`compose`), what each
//! shows (`content`), how it is rendered (`templates`) and sent (`mailer`), the queue of
//! mails to send (`queue`) and the sender (`worker`), links and tokens (`links`), and the
//! addresses that unsubscribed (`suppressions`).

pub mod compose;
pub mod content;
pub mod links;
pub mod mail;
pub mod mailer;
pub mod privacy;
pub mod queue;
pub mod settings;
pub mod suppressions;
pub mod templates;
pub mod worker;
