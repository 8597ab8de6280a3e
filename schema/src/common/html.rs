//! Sanitising HTML staff write (product descriptions, pages): what is stored is already safe
//! to put inside an element, so reads never sanitise.

use std::collections::HashSet;

/// The HTML with scripts, event handlers, `javascript:` links and images removed; links get
/// `rel="noopener noreferrer nofollow"`. Images go because a remote `src` would let any
/// description track shoppers; the catalog has its own images. The result is only safe as
/// element content (not inside an attribute).
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitise;

    #[test]
    fn removes_scripts_handlers_and_javascript_links() {
        let clean = sanitise(
            r#"<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">a</a> <img src="https://t.example/x.gif"></p>"#,
        );
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(!clean.contains("img"), "{clean}");
        assert!(clean.contains("<p>Hi"), "{clean}");
    }

    #[test]
    fn links_keep_their_target_with_a_safe_rel() {
        let clean = sanitise(r#"<a href="https://example.com">x</a>"#);
        assert_eq!(
            clean,
            r#"<a href="https://example.com" rel="noopener noreferrer nofollow">x</a>"#
        );
    }
}
