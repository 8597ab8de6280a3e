//! Rules for free text that people type: names, brands, option names and values,
//! descriptions, reasons.
//!
//! Why these rules: the text is stored, then shown in storefronts, emails and logs.
//! PostgreSQL refuses NUL in text (an unchecked NUL would become an internal error), other
//! control characters break layouts, terminals and log lines, a name of only spaces or
//! invisible characters shows as nothing, and the columns have lengths (counted in characters
//! — Unicode scalar values — as PostgreSQL's `varchar(n)` counts them).
//!
//! Everything else is kept exactly as given: emoji (with joiners), combining marks,
//! right-to-left scripts and bidi controls, zero-width characters between visible ones. They
//! are real text in some language; a storefront isolates user text when it renders it.

use std::fmt;

/// Longest description (products, categories): several pages of prose.
pub const MAX_DESCRIPTION_LEN: usize = 10_000;

/// Why a text was refused; its `Display` is the message shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextProblem {
    /// Nothing visible: empty, whitespace or invisible characters only.
    Blank,
    TooLong {
        max: usize,
    },
    /// A control character (NUL, escape, …); one-line text also has no line breaks or tabs.
    Control {
        multiline: bool,
    },
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Blank => f.write_str("must contain a visible character"),
            Self::TooLong { max } => write!(f, "use at most {max} characters"),
            Self::Control { multiline: false } => f.write_str(
                "use one line of printable characters (no control characters, line breaks or tabs)",
            ),
            Self::Control { multiline: true } => {
                f.write_str("must not contain control characters other than line breaks and tabs")
            }
        }
    }
}

/// A name or similar that must be given: trimmed, at least one visible character, at most
/// `max` characters, one line.
pub fn required_line(text: &str, max: usize) -> Result<String, TextProblem> {
    let text = text.trim();
    check(text, max, false)?;
    Ok(text.to_owned())
}

/// One line that may be left out (a brand, a customer's name): blank means none (`Ok(None)`),
/// anything else follows [`required_line`].
pub fn optional_line(text: Option<&str>, max: usize) -> Result<Option<String>, TextProblem> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => required_line(text, max).map(Some),
    }
}

/// A description: trimmed, blank means none, at most `max` characters; line breaks (`\n`,
/// `\r`) and tabs are the only control characters allowed.
pub fn optional_block(text: Option<&str>, max: usize) -> Result<Option<String>, TextProblem> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => {
            check(text, max, true)?;
            Ok(Some(text.to_owned()))
        }
    }
}

/// Whether `text` holds a NUL, which no text column (nor anything we store) can hold.
/// Reads use it to answer "nothing matches" without asking the database.
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// The checks on already trimmed text. Length goes first, so a huge value is refused
/// without scanning it further than the limit.
fn check(text: &str, max: usize, multiline: bool) -> Result<(), TextProblem> {
    if text.chars().nth(max).is_some() {
        return Err(TextProblem::TooLong { max });
    }
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| is_line_breaking(c) && !allowed(c)) {
        return Err(TextProblem::Control { multiline });
    }
    if !text.chars().any(is_visible) {
        return Err(TextProblem::Blank);
    }
    Ok(())
}

/// Control characters (Unicode `Cc`: C0, DEL, C1) and the Unicode line and paragraph
/// separators, which break a line like `\n` does.
fn is_line_breaking(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Not whitespace and not one of the characters that render as nothing on their own
/// (see [`is_invisible`]).
fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !is_invisible(c)
}

/// Characters that render as nothing on their own or reorder text: zero-width spaces and
/// joiners, bidi controls, line and paragraph separators, the byte-order mark, soft hyphen,
/// fillers, variation selectors, interlinear annotations, tags.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(required_line("  Desk Lamp ", 20), Ok("Desk Lamp".into()));
        for (bad, problem) in [
            ("", TextProblem::Blank),
            (" \t\u{a0}\u{3000} ", TextProblem::Blank),
            ("\u{200b}\u{200d}\u{feff}", TextProblem::Blank),
            ("a\u{0}b", TextProblem::Control { multiline: false }),
            ("\u{0}", TextProblem::Control { multiline: false }),
            ("a\nb", TextProblem::Control { multiline: false }),
            ("a\tb", TextProblem::Control { multiline: false }),
            ("a\u{1b}[31m", TextProblem::Control { multiline: false }),
            ("a\u{85}b", TextProblem::Control { multiline: false }),
            ("a\u{2028}b", TextProblem::Control { multiline: false }),
            (&"x".repeat(21), TextProblem::TooLong { max: 20 }),
        ] {
            assert_eq!(required_line(bad, 20), Err(problem), "{bad:?}");
        }
    }

    #[test]
    fn unusual_valid_text_is_kept_exactly() {
        for good in [
            "Café ☕ 👩‍👩‍👧‍👦 🇫🇷",
            "Cre\u{300}me bru\u{302}le\u{301}e",
            "שלום مرحبا",
            "lamp \u{202e}pmal\u{202c}",
            "zero\u{200b}width",
            "𝕷𝖆𝖒𝖕",
            &"😀".repeat(20),
        ] {
            assert_eq!(required_line(good, 20).as_deref(), Ok(good), "{good:?}");
        }
        assert!(required_line(&"😀".repeat(21), 20).is_err());
    }

    #[test]
    fn optional_text_and_descriptions() {
        assert_eq!(optional_line(None, 5), Ok(None));
        assert_eq!(optional_line(Some("  "), 5), Ok(None));
        assert_eq!(optional_line(Some(" Acme "), 5), Ok(Some("Acme".into())));
        assert!(optional_line(Some("\u{200b}"), 5).is_err());
        let text = "Line one\r\nLine two\n\tIndented";
        assert_eq!(optional_block(Some(text), 100), Ok(Some(text.into())));
        assert_eq!(optional_block(Some("\n \n"), 100), Ok(None));
        for bad in ["a\u{0}", "a\u{7}", "\u{1b}[2J"] {
            let problem = TextProblem::Control { multiline: true };
            assert_eq!(optional_block(Some(bad), 100), Err(problem), "{bad:?}");
        }
        let long = "d".repeat(MAX_DESCRIPTION_LEN + 1);
        let problem = TextProblem::TooLong {
            max: MAX_DESCRIPTION_LEN,
        };
        assert_eq!(
            optional_block(Some(&long), MAX_DESCRIPTION_LEN),
            Err(problem)
        );
    }
}
