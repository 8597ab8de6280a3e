//! The query text measured before it is parsed, in one linear pass over its bytes.
//!
//! Why before parsing: the parser and async-graphql's validation do work that grows with the
//! document's shape (nesting is parsed recursively; validation expands fragments), so a
//! document has to be judged by something whose cost is bounded by its length alone. This
//! pass only recognises tokens — names, punctuators, numbers, strings, comments — the way
//! GraphQL's lexical grammar defines them; anything it does not recognise counts as a token
//! and is left for the parser to refuse.
//!
//! It also finds the document's top-level operations (`query` / `mutation` / `subscription`,
//! or a bare `{`), which lets the HTTP layer decide about caching and GET before any parse.

use async_graphql::parser::types::OperationType;

/// Lexical tokens one document may hold. Honest documents — a storefront's largest page
/// query, GraphiQL's introspection query — hold a few hundred to a few thousand.
pub const MAX_TOKENS: usize = 10_000;

/// How deeply `{`, `[` and `(` may nest. Field depth is limited to 15 by the schema; lists
/// and input objects in arguments add a few levels.
pub const MAX_NESTING: usize = 64;

/// Directives (`@name`) one document may hold.
pub const MAX_DIRECTIVES: usize = 200;

/// What the text holds, as far as the limits are concerned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TextShape {
    pub tokens: usize,
    pub max_nesting: usize,
    pub directives: usize,
    /// Top-level operations in the order written: their type and name.
    pub operations: Vec<(OperationType, Option<String>)>,
}

/// Why a text was refused before parsing.
#[derive(Debug, PartialEq, Eq)]
pub enum TextRefusal {
    TooManyTokens,
    TooDeep,
    TooManyDirectives,
}

impl TextShape {
    /// The operation a request with `operation_name` would run, if the text shows it: the named
    /// one, or the only one when no name is given.
    pub fn selected(&self, operation_name: Option<&str>) -> Option<OperationType> {
        match operation_name {
            Some(wanted) => self
                .operations
                .iter()
                .find(|(_, name)| name.as_deref() == Some(wanted))
                .map(|(kind, _)| *kind),
            None => match self.operations.as_slice() {
                [(kind, _)] => Some(*kind),
                _ => None,
            },
        }
    }
}

/// Measures `text`, stopping as soon as a limit is passed (so a refusal costs at most one
/// pass over the first part of the text).
pub fn measure(text: &str) -> Result<TextShape, TextRefusal> {
    let mut lexer = Lexer {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut shape = TextShape::default();
    let mut depth = 0usize;
    let mut top = TopLevel::default();
    while let Some(token) = lexer.next_token() {
        shape.tokens += 1;
        if shape.tokens > MAX_TOKENS {
            return Err(TextRefusal::TooManyTokens);
        }
        match token {
            Token::Open(brace) => {
                if depth == 0 && brace {
                    top.open_selection(&mut shape.operations);
                }
                depth += 1;
                shape.max_nesting = shape.max_nesting.max(depth);
                if depth > MAX_NESTING {
                    return Err(TextRefusal::TooDeep);
                }
            }
            Token::Close => depth = depth.saturating_sub(1),
            Token::At => {
                shape.directives += 1;
                if shape.directives > MAX_DIRECTIVES {
                    return Err(TextRefusal::TooManyDirectives);
                }
                if depth == 0 {
                    top.after_at = true;
                }
            }
            Token::Name(name) if depth == 0 => top.name(name),
            Token::Name(_) | Token::Other => {}
        }
    }
    Ok(shape)
}

/// Tracks the definition being read at depth 0.
#[derive(Default)]
struct TopLevel {
    /// `Some` after `query`/`mutation`/`subscription`/`fragment`, until its selection opens.
    pending: Option<Definition>,
    /// The next name is a directive's, not the operation's.
    after_at: bool,
}

enum Definition {
    Operation(OperationType, Option<String>),
    Fragment,
}

impl TopLevel {
    fn name(&mut self, name: &str) {
        if std::mem::take(&mut self.after_at) {
            return;
        }
        match &mut self.pending {
            None => {
                self.pending = match name {
                    "query" => Some(Definition::Operation(OperationType::Query, None)),
                    "mutation" => Some(Definition::Operation(OperationType::Mutation, None)),
                    "subscription" => {
                        Some(Definition::Operation(OperationType::Subscription, None))
                    }
                    "fragment" => Some(Definition::Fragment),
                    _ => None,
                }
            }
            Some(Definition::Operation(_, own @ None)) => *own = Some(name.to_owned()),
            Some(_) => {}
        }
    }

    /// A `{` at depth 0: the selection of the pending definition, or a query shorthand.
    fn open_selection(&mut self, operations: &mut Vec<(OperationType, Option<String>)>) {
        self.after_at = false;
        match self.pending.take() {
            Some(Definition::Operation(kind, name)) => operations.push((kind, name)),
            Some(Definition::Fragment) => {}
            None => operations.push((OperationType::Query, None)),
        }
    }
}

enum Token<'a> {
    /// `{` (true), `[` or `(`.
    Open(bool),
    /// `}`, `]` or `)`.
    Close,
    At,
    Name(&'a str),
    Other,
}

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.at + offset).copied()
    }

    fn next_token(&mut self) -> Option<Token<'a>> {
        self.skip_ignored();
        let first = self.peek(0)?;
        let token = match first {
            b'{' => Token::Open(true),
            b'[' | b'(' => Token::Open(false),
            b'}' | b']' | b')' => Token::Close,
            b'@' => Token::At,
            b'"' => return Some(self.string()),
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => return Some(self.name()),
            b'-' | b'0'..=b'9' => {
                self.take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'));
                return Some(Token::Other);
            }
            b'.' if self.peek(1) == Some(b'.') && self.peek(2) == Some(b'.') => {
                self.at += 3;
                return Some(Token::Other);
            }
            _ => Token::Other,
        };
        self.at += 1;
        Some(token)
    }

    /// White space, line terminators, commas, the byte order mark and comments.
    fn skip_ignored(&mut self) {
        while let Some(byte) = self.peek(0) {
            match byte {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => self.at += 1,
                b'#' => self.take_while(|b| b != b'\n' && b != b'\r'),
                0xEF if self.peek(1) == Some(0xBB) && self.peek(2) == Some(0xBF) => self.at += 3,
                _ => return,
            }
        }
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) {
        while self.peek(0).is_some_and(&keep) {
            self.at += 1;
        }
    }

    fn name(&mut self) -> Token<'a> {
        let start = self.at;
        self.take_while(|b| b == b'_' || b.is_ascii_alphanumeric());
        // Only ASCII bytes were taken, so the slice is valid UTF-8.
        Token::Name(std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default())
    }

    /// A string or block string, escapes included, as one token.
    fn string(&mut self) -> Token<'a> {
        if self.peek(1) == Some(b'"') && self.peek(2) == Some(b'"') {
            self.at += 3;
            while self.at < self.bytes.len() {
                if self.bytes[self.at..].starts_with(b"\\\"\"\"") {
                    self.at += 4;
                } else if self.bytes[self.at..].starts_with(b"\"\"\"") {
                    self.at += 3;
                    break;
                } else {
                    self.at += 1;
                }
            }
            return Token::Other;
        }
        self.at += 1;
        while let Some(byte) = self.peek(0) {
            self.at += 1;
            match byte {
                b'\\' => self.at += 1,
                b'"' | b'\n' | b'\r' => break,
                _ => {}
            }
        }
        Token::Other
    }
}
