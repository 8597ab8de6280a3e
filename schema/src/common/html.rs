//! Staff-written HTML (page bodies, product descriptions) made safe to store and serve.
//!
//! Why sanitise on save, not on read: storefronts render these bodies as HTML
//! (`dangerouslySetInnerHTML` in Next.js Commerce), so whatever is stored reaches shoppers'
//! browsers. Cleaning once when staff save means every reader — GraphQL, webhooks, mails,
//! caches — gets the same safe bytes and no read pays for parsing. A stolen staff session must
//! not be able to plant a script on every page of the shop.
//!
//! The allow-list is ammonia's default (formatting, lists, tables, links), minus:
//! - `img`: images are product media and load from anywhere; a body may not track shoppers
//!   with remote pixels;
//! - link schemes other than http, https and mailto (`javascript:`, `data:` …).
//!
//! Every link gets `rel="noopener noreferrer nofollow"`. Scripts and styles are dropped with
//! their content; event handler attributes (`onclick` …) and `style` are dropped.

use ammonia::Builder;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Built once: the builder's sets are fixed.
static SANITISER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(HashSet::from(["http", "https", "mailto"]));
    builder
});

/// `html` with only the allowed tags, attributes and link schemes left; text is kept.
pub fn sanitise(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

/// The text of *sanitised* HTML, for summaries and previews: tags removed, the five entities
/// ammonia writes (`&amp; &lt; &gt; &quot; &#39;`) and `&nbsp;` decoded, block ends turned
/// into spaces, whitespace collapsed.
///
/// Limits: it is a tag stripper, not a parser. It relies on [`sanitise`]'s output (no
/// comments, no `<script>`/`<style>` content, `<` always escaped in text and attributes
/// quoted), other named or numeric entities stay as written, and inline tags that split a
/// word (`a<b>b</b>c`) join it as the browser would.
pub fn plain_text(sanitised: &str) -> String {
    let mut text = String::with_capacity(sanitised.len());
    let mut rest = sanitised;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = tag_end(after);
        if is_block_boundary(&after[..end]) {
            text.push(' ');
        }
        rest = &after[end..];
    }
    text.push_str(rest);
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The length of the tag `tag` starts with, up to and including its `>`; quoted attribute
/// values may hold `>`.
fn tag_end(tag: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            (None, _) => {}
        }
    }
    tag.len()
}

/// Whether the tag separates words when rendered (paragraphs, line breaks, list items …).
fn is_block_boundary(tag: &str) -> bool {
    const BLOCKS: [&str; 16] = [
        "p",
        "br",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "blockquote",
    ];
    let name: String = tag
        .trim_start_matches(['<', '/'])
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    BLOCKS.contains(&name.as_str())
}

fn decode_entities(text: &str) -> String {
    // `&amp;` last, so `&amp;lt;` becomes `&lt;` and not `<`.
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Plain text made safe to place as HTML element content or a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed_text_is_kept() {
        let clean = sanitise(
            r#"<p onclick="steal()">Hello <b>world</b></p><script>alert(1)</script><a href="javascript:alert(2)">click</a>"#,
        );
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("alert"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(clean.contains("<p>Hello <b>world</b></p>"), "{clean}");
        assert!(clean.contains(">click</a>"), "{clean}");
    }

    #[test]
    fn links_get_rel_images_and_styles_go() {
        let clean = sanitise(
            r#"<a href="https://example.com/x">x</a><img src="https://t.example/p.gif"><p style="color:red">y</p><a href="mailto:a@example.com">m</a>"#,
        );
        assert!(
            clean.contains(r#"rel="noopener noreferrer nofollow""#),
            "{clean}"
        );
        assert!(clean.contains(r#"href="https://example.com/x""#), "{clean}");
        assert!(clean.contains("mailto:a@example.com"), "{clean}");
        assert!(!clean.contains("img"), "{clean}");
        assert!(!clean.contains("style"), "{clean}");
    }

    #[test]
    fn plain_text_strips_tags_and_decodes() {
        let clean = sanitise(
            "<h1>About</h1><p>Fish &amp; chips <em>since</em> 1901.</p><ul><li>a &lt; b</li><li>c</li></ul>",
        );
        assert_eq!(plain_text(&clean), "About Fish & chips since 1901. a < b c");
        assert_eq!(plain_text(&sanitise("a<b>b</b>c")), "abc");
        assert_eq!(plain_text(&sanitise("line<br>break")), "line break");
        assert_eq!(plain_text(""), "");
        assert_eq!(plain_text(&sanitise("&amp;lt;")), "&lt;");
    }
}
