//! Email addresses as account keys: one spelling per address, and no look-alikes.
//!
//! An address names an account (sign-in, registration) and a buyer (carts, orders), so two
//! strings that look the same must be the same address, and a string that only *looks*
//! like another must be refused:
//!
//! - trimmed, then Unicode NFKC (compatibility forms fold: full-width `ａ` is `a`, the
//!   ligature `ﬁ` is `fi`);
//! - lower-cased as a whole. RFC 5321 lets a server treat the local part case-sensitively,
//!   but no mainstream provider does, people type `Ada@` and `ada@` interchangeably, and
//!   every account stored so far was lower-cased whole: keeping that rule means `Ada@x` and
//!   `ada@x` stay one account (the domain is case-insensitive anyway);
//! - refused when it holds a character that renders as nothing or reorders text (zero-width
//!   spaces and joiners, bidi controls such as RIGHT-TO-LEFT OVERRIDE, the byte-order mark,
//!   soft hyphen, variation selectors, tags), whitespace or a control character;
//! - refused when the local part or one domain label mixes letters of scripts whose letters
//!   look alike (Latin, Greek, Cyrillic, Armenian, Cherokee): `аda` with a Cyrillic `а` is
//!   refused, an address wholly in one script is not. Other scripts (CJK, Arabic, …) may
//!   appear with Latin, as real addresses do.

use crate::common::text::is_invisible;
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Longest accepted address after normalisation, in bytes (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest input looked at: NFKC can expand text, so the limit is checked again after.
const MAX_INPUT_LEN: usize = 4 * MAX_EMAIL_LEN;

/// Why an address was refused; its `Display` is the message shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailProblem {
    TooLong,
    /// Not `local@domain.tld`.
    Malformed,
    /// A character that shows as nothing or changes the direction of text.
    Invisible,
    /// Letters of look-alike scripts in one part (`pаypal` with a Cyrillic `а`).
    MixedScripts,
}

impl fmt::Display for EmailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLong => "the email address is too long",
            Self::Malformed => "enter a valid email address",
            Self::Invisible => {
                "the email address contains invisible or text-direction characters; type it again"
            }
            Self::MixedScripts => {
                "the email address mixes letters of different alphabets (e.g. Latin and Cyrillic)"
            }
        })
    }
}

/// The one spelling of `raw` used to store and look up addresses, or why it is refused.
pub fn normalise(raw: &str) -> Result<String, EmailProblem> {
    let trimmed = raw.trim();
    if trimmed.len() > MAX_INPUT_LEN {
        return Err(EmailProblem::TooLong);
    }
    // Checked before NFKC as well as after: NFKC keeps most of these, but never let it be
    // the thing that decides.
    if trimmed.chars().any(is_invisible) {
        return Err(EmailProblem::Invisible);
    }
    let email: String = trimmed.nfkc().collect::<String>().to_lowercase();
    if email.chars().any(is_invisible) {
        return Err(EmailProblem::Invisible);
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(EmailProblem::Malformed);
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(EmailProblem::TooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(EmailProblem::Malformed);
    };
    let well_formed = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if !well_formed {
        return Err(EmailProblem::Malformed);
    }
    if mixes_scripts(local) || domain.split('.').any(mixes_scripts) {
        return Err(EmailProblem::MixedScripts);
    }
    Ok(email)
}

/// Scripts whose letters are confused with each other's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LookAlikeScript {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
    Cherokee,
}

fn look_alike_script(c: char) -> Option<LookAlikeScript> {
    use LookAlikeScript::*;
    match c {
        'a'..='z' | 'A'..='Z' => Some(Latin),
        '\u{00c0}'..='\u{00d6}'
        | '\u{00d8}'..='\u{00f6}'
        | '\u{00f8}'..='\u{02af}'
        | '\u{1d00}'..='\u{1d7f}'
        | '\u{1e00}'..='\u{1eff}'
        | '\u{2c60}'..='\u{2c7f}'
        | '\u{a720}'..='\u{a7ff}'
        | '\u{ab30}'..='\u{ab6f}' => Some(Latin),
        '\u{0370}'..='\u{03ff}' | '\u{1f00}'..='\u{1fff}' => Some(Greek),
        '\u{0400}'..='\u{052f}'
        | '\u{1c80}'..='\u{1c8f}'
        | '\u{2de0}'..='\u{2dff}'
        | '\u{a640}'..='\u{a69f}' => Some(Cyrillic),
        '\u{0531}'..='\u{058f}' => Some(Armenian),
        '\u{13a0}'..='\u{13ff}' | '\u{ab70}'..='\u{abbf}' => Some(Cherokee),
        _ => None,
    }
}

/// Whether `part` holds letters of two different look-alike scripts.
fn mixes_scripts(part: &str) -> bool {
    let mut seen = None;
    for script in part.chars().filter_map(look_alike_script) {
        match seen {
            None => seen = Some(script),
            Some(first) if first != script => return true,
            Some(_) => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_per_address() {
        for (raw, normal) in [
            ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
            ("Ada@Example.COM", "ada@example.com"),
            ("ａｄａ@ｅｘａｍｐｌｅ.com", "ada@example.com"),
            ("ﬁona@example.com", "fiona@example.com"),
            (
                "jane+shop@mail.example.co.uk",
                "jane+shop@mail.example.co.uk",
            ),
            ("иван@пример.рф", "иван@пример.рф"),
            ("δοκιμή@example.com", "δοκιμή@example.com"),
            ("用户@例子.广告", "用户@例子.广告"),
            ("Crème@example.com", "crème@example.com"),
        ] {
            assert_eq!(normalise(raw).as_deref(), Ok(normal), "{raw:?}");
        }
    }

    #[test]
    fn look_alikes_and_hidden_characters_are_refused() {
        for (raw, problem) in [
            ("a\u{200b}da@example.com", EmailProblem::Invisible),
            ("ada\u{200d}@example.com", EmailProblem::Invisible),
            ("\u{202e}moc.elpmaxe@ada", EmailProblem::Invisible),
            ("ada@exa\u{2066}mple.com", EmailProblem::Invisible),
            ("\u{feff}ada@example.com", EmailProblem::Invisible),
            ("ad\u{ad}a@example.com", EmailProblem::Invisible),
            ("jane doe@example.com", EmailProblem::Malformed),
            ("ada@exam\u{0}ple.com", EmailProblem::Malformed),
            ("\u{0430}da@example.com", EmailProblem::MixedScripts),
            ("ada@ex\u{0430}mple.com", EmailProblem::MixedScripts),
            ("ada@example.c\u{043e}m", EmailProblem::MixedScripts),
            ("p\u{03bf}st@example.com", EmailProblem::MixedScripts),
            ("", EmailProblem::Malformed),
            ("jane", EmailProblem::Malformed),
            ("jane@", EmailProblem::Malformed),
            ("@example.com", EmailProblem::Malformed),
            ("jane@example", EmailProblem::Malformed),
            ("a@b@c.com", EmailProblem::Malformed),
            ("jane@.com", EmailProblem::Malformed),
            ("jane@example..com", EmailProblem::Malformed),
        ] {
            assert_eq!(normalise(raw), Err(problem), "{raw:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(normalise(&long), Err(EmailProblem::TooLong));
        assert_eq!(normalise(&"a".repeat(5000)), Err(EmailProblem::TooLong));
    }
}
