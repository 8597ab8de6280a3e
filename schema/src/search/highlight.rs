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
    let words: Vec<QueryWord<'_>> = words
        .iter()
        .enumerate()
        .map(|(i, word)| QueryWord::new(word, i == words.len() - 1))
        .collect();
    let tokens = tokenize(text);
    // One buffer for every token's lower-case form: a text's words are many, and a String each
    // was most of a search's allocations.
    let mut lower = String::new();
    let matched: Vec<bool> = tokens
        .iter()
        .map(|t| {
            let token = &text[t.0..t.1];
            if token.is_ascii() {
                lower.clear();
                lower.push_str(token);
                lower.make_ascii_lowercase();
                matches_query(&lower, &words)
            } else {
                matches_query(&token.to_lowercase(), &words)
            }
        })
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
    let mut snippet = String::with_capacity(end - start + 16);
    if start > 0 {
        snippet.push('…');
    }
    let mut at = start;
    for (token, &hit) in tokens[from..to].iter().zip(&matched[from..to]) {
        escape_into(&mut snippet, &text[at..token.0]);
        if hit {
            snippet.push_str("<mark>");
            escape_into(&mut snippet, &text[token.0..token.1]);
            snippet.push_str("</mark>");
        } else {
            escape_into(&mut snippet, &text[token.0..token.1]);
        }
        at = token.1;
    }
    escape_into(&mut snippet, &text[at..end]);
    if end < text.len() {
        snippet.push('…');
    }
    Some(Highlight {
        field: field.to_owned(),
        snippet,
    })
}

/// A normalised query word with what matching it needs, worked out once per text.
struct QueryWord<'a> {
    text: &'a str,
    chars: usize,
    typos: usize,
    /// The last word also matches as a prefix.
    last: bool,
}

impl<'a> QueryWord<'a> {
    fn new(text: &'a str, last: bool) -> Self {
        Self {
            text,
            chars: text.chars().count(),
            typos: usize::from(typos_allowed(text)),
            last,
        }
    }

    /// Whether `token` is this word within its typo budget.
    fn is_near(&self, token: &str) -> bool {
        // Each edit changes the length by at most one: most words of a text are ruled out
        // here, without the distance's table.
        self.typos > 0
            && token.chars().count().abs_diff(self.chars) <= self.typos
            && within(token, self.text, self.typos)
    }
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

fn matches_query(token: &str, words: &[QueryWord<'_>]) -> bool {
    words.iter().any(|word| {
        if token == word.text || word.is_near(token) {
            return true;
        }
        // The last word is a prefix: compare it with the token's start of the same length.
        word.last && {
            let head = match token.char_indices().nth(word.chars) {
                Some((end, _)) => &token[..end],
                None => token,
            };
            head == word.text || word.is_near(head)
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

/// Whether [`distance`]`(a, b) <= max`, without allocating for words of up to
/// [`SHORT_WORD`] characters (a text's words and the query's are): the last query word is
/// compared as a prefix with every word of every hit's name and description, so this runs
/// for most of them.
fn within(a: &str, b: &str, max: usize) -> bool {
    let (mut a_chars, mut b_chars) = (['\0'; SHORT_WORD], ['\0'; SHORT_WORD]);
    let (Some(a_len), Some(b_len)) = (fill(&mut a_chars, a), fill(&mut b_chars, b)) else {
        return distance(a, b) <= max;
    };
    let (a, b) = (&a_chars[..a_len], &b_chars[..b_len]);
    // Three rows of the table: two back (for a swap of neighbours), the last, this one.
    let mut before_last = [0usize; SHORT_WORD + 1];
    let mut last: [usize; SHORT_WORD + 1] = std::array::from_fn(|j| j);
    let mut row = [0usize; SHORT_WORD + 1];
    for i in 1..=a.len() {
        row[0] = i;
        let mut smallest = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before_last[j - 2] + 1);
            }
            row[j] = best;
            smallest = smallest.min(best);
        }
        // A row's smallest entry is at most one more than the previous row's, and a swap
        // reaches back one row more at the cost of one: once a whole row is over the budget,
        // so is the end.
        if smallest > max {
            return false;
        }
        before_last = last;
        last = row;
    }
    last[b.len()] <= max
}

/// Longest word [`within`] compares without allocating.
const SHORT_WORD: usize = 32;

/// Copies the characters of `word` into `chars`; `None` when they do not fit.
fn fill(chars: &mut [char; SHORT_WORD], word: &str) -> Option<usize> {
    let mut len = 0;
    for c in word.chars() {
        *chars.get_mut(len)? = c;
        len += 1;
    }
    Some(len)
}

/// Appends `text` to `out`, escaped for HTML, so only our `<mark>` tags are markup.
fn escape_into(out: &mut String, text: &str) {
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

    proptest::proptest! {
        /// The allocation-free check agrees with the full table, on words from a small
        /// alphabet (so that near matches and swaps are common) and on long ones.
        #[test]
        fn within_agrees_with_the_distance(
            a in "[abc]{0,9}|[a-z]{30,40}",
            b in "[abc]{0,9}|[a-z]{30,40}",
            max in 0usize..4,
        ) {
            proptest::prop_assert_eq!(within(&a, &b, max), distance(&a, &b) <= max);
        }
    }

    #[test]
    fn transposition_is_one_edit() {
        assert_eq!(distance("shrit", "shirt"), 1);
        assert_eq!(distance("cotten", "cotton"), 1);
        assert_eq!(distance("jacket", "jack"), 2);
    }
}
