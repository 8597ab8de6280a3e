//! URL handles (slugs) for categories and products.

/// Longest slug (the `categories.slug` column; products allow a little more).
pub const MAX_SLUG_LEN: usize = 128;

/// Why a create was refused when no slug was given and none can be made from the name.
pub const NO_SLUG_FROM_NAME: &str =
    "no slug can be made from the name (it has no letter or digit a-z, 0-9); give a slug";

/// A slug made from `text`: lower-case ASCII letters and digits, words joined by single
/// dashes, at most [`MAX_SLUG_LEN`] characters. Empty when `text` has no letter or digit.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                if slug.len() + 1 >= MAX_SLUG_LEN {
                    break;
                }
                slug.push('-');
            }
            if slug.len() >= MAX_SLUG_LEN {
                break;
            }
            slug.push(c.to_ascii_lowercase());
            pending_dash = false;
        } else {
            pending_dash = true;
        }
    }
    slug
}

/// Whether `slug` matches `^[a-z0-9]+(-[a-z0-9]+)*$` and fits the column.
pub fn is_valid_slug(slug: &str) -> bool {
    slug.len() <= MAX_SLUG_LEN
        && !slug.is_empty()
        && slug.split('-').all(|word| {
            !word.is_empty() && word.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_valid_slugs() {
        assert_eq!(slugify("T-Shirts & Tops"), "t-shirts-tops");
        assert_eq!(slugify("  Home -- Décor 2026  "), "home-d-cor-2026");
        assert_eq!(slugify("---"), "");
        assert_eq!(slugify("Été"), "t");
        let long = slugify(&"word ".repeat(100));
        assert!(long.len() <= MAX_SLUG_LEN, "{}", long.len());
        assert!(is_valid_slug(&long), "{long}");
        for name in ["Sneakers", "A  B", "x_y", "Über Cool!", "9 Lives"] {
            assert!(is_valid_slug(&slugify(name)), "{name}");
        }
    }

    #[test]
    fn slugs_are_checked() {
        for good in ["a", "t-shirts", "abc-123-x", &"a".repeat(MAX_SLUG_LEN)] {
            assert!(is_valid_slug(good), "{good:?}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a b",
            "a_b",
            "é",
            &"a".repeat(MAX_SLUG_LEN + 1),
        ] {
            assert!(!is_valid_slug(bad), "{bad:?}");
        }
    }
}
