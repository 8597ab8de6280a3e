//! Highlighting for engines that do not do it themselves: marks the words of a text that
//! match the query under the same rules the query used (exact, within the typo budget, or
//! as a prefix of the last query word), HTML-escaping everything else.

use super::backend::{Highlight, typos_allowed};

/// Words kept around the first match when a long text is cropped.
const CROP_WORDS: usize = 20;

/// A highlight of `text` in `field`, or `None` when no word of it matches. `words` are the
/// query's normalised words. With `crop`, long text is cut to a window around the first
/// match, with `…` where it was cut.
pub fn highlight(field: &str, text: &str, words: &[String], crop: bool) -> Option<Highlight> {
    if words.is_empty() {
        return None;
    }
    let tokens = tokenize(text);
    let matched: Vec<bool> = tokens
        .iter()
        .map(|t| matches_query(&normalise(&text[t.0..t.1]), words))
        .collect();
    let first = matched.iter().position(|&m| m)?;
    let (from, to) = if crop && tokens.len() > CROP_WORDS {
        let from = first.saturating_sub(CROP_WORDS / 4);
        (from, (from + CROP_WORDS).min(tokens.len()))
    } else {
        (0, tokens.len())
    };
    let start = if from == 0 { 0 } else { tokens[from].0 };
    let end = if to == tokens.len() {
        text.len()
    } else {
        tokens[to - 1].1
    };
    let mut snippet = String::new();
    if start > 0 {
        snippet.push('…');
    }
    let mut at = start;
    for (token, &hit) in tokens[from..to].iter().zip(&matched[from..to]) {
        snippet.push_str(&escape(&text[at..token.0]));
        if hit {
            snippet.push_str("<mark>");
            snippet.push_str(&escape(&text[token.0..token.1]));
            snippet.push_str("</mark>");
        } else {
            snippet.push_str(&escape(&text[token.0..token.1]));
        }
        at = token.1;
    }
    snippet.push_str(&escape(&text[at..end]));
    if end < text.len() {
        snippet.push('…');
    }
    Some(Highlight {
        field: field.to_owned(),
        snippet,
    })
}

/// Byte ranges of the alphanumeric runs of `text`.
fn tokenize(text: &str) -> Vec<(usize, usize)> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                tokens.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        tokens.push((s, text.len()));
    }
    tokens
}

fn normalise(word: &str) -> String {
    word.to_lowercase()
}

fn matches_query(token: &str, words: &[String]) -> bool {
    let last = words.len() - 1;
    words.iter().enumerate().any(|(i, word)| {
        let typos = usize::from(typos_allowed(word));
        if token == word || (typos > 0 && distance(token, word) <= typos) {
            return true;
        }
        // The last word is a prefix: compare it with the token's start of the same length.
        i == last && {
            let head: String = token.chars().take(word.chars().count()).collect();
            head == *word || (typos > 0 && distance(&head, word) <= typos)
        }
    })
}

/// Edit distance where a swap of two neighbouring letters counts as one edit
/// (optimal string alignment), as the query's fuzzy matching counts it.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Escapes text for HTML, so only our `<mark>` tags are markup.
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

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn marks_typo_and_prefix_matches_and_escapes_the_rest() {
        let h = highlight(
            "name",
            "Organic Cotton <Tee>",
            &words(&["cotten", "te"]),
            false,
        );
        let snippet = h.map(|h| h.snippet);
        assert_eq!(
            snippet.as_deref(),
            Some("Organic <mark>Cotton</mark> &lt;<mark>Tee</mark>&gt;")
        );
    }

    #[test]
    fn no_match_means_no_highlight() {
        assert_eq!(
            highlight("name", "Rain Jacket", &words(&["shirt"]), false),
            None
        );
    }

    #[test]
    fn long_text_is_cropped_around_the_first_match() {
        let text = (0..60)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
            + " cotton end";
        let h = highlight("description", &text, &words(&["cotton"]), true);
        let snippet = h.map(|h| h.snippet).unwrap_or_default();
        assert!(snippet.starts_with('…'), "{snippet}");
        assert!(snippet.contains("<mark>cotton</mark>"), "{snippet}");
    }

    #[test]
    fn transposition_is_one_edit() {
        assert_eq!(distance("shrit", "shirt"), 1);
        assert_eq!(distance("cotten", "cotton"), 1);
        assert_eq!(distance("jacket", "jack"), 2);
    }
}
