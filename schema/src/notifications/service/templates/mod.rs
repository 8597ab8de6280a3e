//! The mail templates: built in (`schema/templates/mail/`, compiled into the binary) and
//! overridable file by file from `MAIL_TEMPLATES_DIR`.
//!
//! Every template is served through minijinja's loader, the override directory first: a
//! template registered with `add_template` would be found before the loader asked the
//! directory, so overrides would never be read. The file name picks the escaping: `.html` is
//! HTML-escaped (a product name cannot inject markup), `.txt` is not.
//!
//! A mail is `<name>.txt` and `<name>.html`. The text template's first line is the subject,
//! `Subject: …`; the rest, after a blank line, is the plain-text body. The HTML templates
//! extend `layout.html`, so a shop restyles every mail by overriding that one file.

use minijinja::{Environment, UndefinedBehavior, Value};
use std::path::PathBuf;

/// The built-in templates, by name.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "layout.html",
        include_str!("../../../../templates/mail/layout.html"),
    ),
    (
        "footer.txt",
        include_str!("../../../../templates/mail/footer.txt"),
    ),
    (
        "order_lines.txt",
        include_str!("../../../../templates/mail/order_lines.txt"),
    ),
    (
        "order_lines.html",
        include_str!("../../../../templates/mail/order_lines.html"),
    ),
    (
        "order_confirmation.txt",
        include_str!("../../../../templates/mail/order_confirmation.txt"),
    ),
    (
        "order_confirmation.html",
        include_str!("../../../../templates/mail/order_confirmation.html"),
    ),
    (
        "payment_received.txt",
        include_str!("../../../../templates/mail/payment_received.txt"),
    ),
    (
        "payment_received.html",
        include_str!("../../../../templates/mail/payment_received.html"),
    ),
    (
        "order_shipped.txt",
        include_str!("../../../../templates/mail/order_shipped.txt"),
    ),
    (
        "order_shipped.html",
        include_str!("../../../../templates/mail/order_shipped.html"),
    ),
    (
        "order_delivered.txt",
        include_str!("../../../../templates/mail/order_delivered.txt"),
    ),
    (
        "order_delivered.html",
        include_str!("../../../../templates/mail/order_delivered.html"),
    ),
    (
        "refund_issued.txt",
        include_str!("../../../../templates/mail/refund_issued.txt"),
    ),
    (
        "refund_issued.html",
        include_str!("../../../../templates/mail/refund_issued.html"),
    ),
    (
        "return_update.txt",
        include_str!("../../../../templates/mail/return_update.txt"),
    ),
    (
        "return_update.html",
        include_str!("../../../../templates/mail/return_update.html"),
    ),
    (
        "back_in_stock.txt",
        include_str!("../../../../templates/mail/back_in_stock.txt"),
    ),
    (
        "back_in_stock.html",
        include_str!("../../../../templates/mail/back_in_stock.html"),
    ),
    (
        "abandoned_cart.txt",
        include_str!("../../../../templates/mail/abandoned_cart.txt"),
    ),
    (
        "abandoned_cart.html",
        include_str!("../../../../templates/mail/abandoned_cart.html"),
    ),
    (
        "password_reset.txt",
        include_str!("../../../../templates/mail/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("../../../../templates/mail/password_reset.html"),
    ),
    (
        "staff_invitation.txt",
        include_str!("../../../../templates/mail/staff_invitation.txt"),
    ),
    (
        "staff_invitation.html",
        include_str!("../../../../templates/mail/staff_invitation.html"),
    ),
];

/// Why a mail could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {source}")]
    Render {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("template {0} must start with a `Subject: …` line")]
    NoSubject(String),
}

/// A rendered mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in templates, each replaced by a file of the same name in `overrides`.
    pub fn new(overrides: Option<PathBuf>) -> Self {
        let mut env = Environment::new();
        // A misspelt variable in a template fails the mail (and is retried, then FAILED with
        // the error) instead of silently sending a mail with holes in it.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let dir = overrides.map(minijinja::path_loader);
        env.set_loader(move |name| {
            if let Some(load) = &dir
                && let Some(source) = load(name)?
            {
                return Ok(Some(source));
            }
            Ok(BUILT_IN
                .iter()
                .find(|(built_in, _)| *built_in == name)
                .map(|(_, source)| minijinja::TemplateSource::from(*source)))
        });
        Self { env }
    }

    fn render_one(&self, name: &str, context: &Value) -> Result<String, TemplateError> {
        let failed = |source| TemplateError::Render {
            name: name.to_owned(),
            source,
        };
        self.env
            .get_template(name)
            .and_then(|template| template.render(context.clone()))
            .map_err(failed)
    }

    /// Renders the mail `name` (`<name>.txt` and `<name>.html`) with `context`.
    pub fn render(
        &self,
        name: &str,
        context: &serde_json::Value,
    ) -> Result<Rendered, TemplateError> {
        let context = Value::from(minijinja::value::Serde(context));
        let text_name = format!("{name}.txt");
        let text = self.render_one(&text_name, &context)?;
        let (subject, body) = split_subject(&text).ok_or(TemplateError::NoSubject(text_name))?;
        let html = self.render_one(&format!("{name}.html"), &context)?;
        Ok(Rendered {
            subject,
            text: body,
            html,
        })
    }
}

/// `Subject: …` (one line, trimmed), then the body after the blank line that follows it.
fn split_subject(text: &str) -> Option<(String, String)> {
    let text = text.trim_start();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let subject = first.strip_prefix("Subject:")?.trim();
    if subject.is_empty() {
        return None;
    }
    Some((
        subject.to_owned(),
        rest.trim_start_matches(['\r', '\n']).to_owned(),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
