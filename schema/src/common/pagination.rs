//! Relay cursor pagination shared by every connection.
//!
//! Connections use keyset pagination: a cursor names the sort key, the row's value for it and
//! the row's id (the tie-breaker), so a page is one indexed range scan however deep it is, and
//! rows inserted meanwhile never shift a client's pages.

use crate::error::{ApiError, ApiResult};
use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Page size when the client gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// `first/after/last/before` as the client sent them.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// Which end of the ordering a page is read from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `first` (and optionally `after`): read forward.
    Forward,
    /// `last` (and optionally `before`): read backward, then restore the order.
    Backward,
}

/// Validated paging: how many rows, which way, and from which cursor.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub limit: u64,
    pub direction: Direction,
    pub cursor: Option<Cursor>,
}

impl PageArgs {
    /// Checks the arguments against the Relay rules and the page-size cap.
    pub fn validate(&self, max_page_size: u64, sort_key: &str) -> ApiResult<PageRequest> {
        if self.first.is_some() && self.last.is_some() {
            return Err(ApiError::bad_input(
                "pass either `first` or `last`, not both",
            ));
        }
        if self.after.is_some() && self.before.is_some() {
            return Err(ApiError::bad_input(
                "pass either `after` or `before`, not both",
            ));
        }
        let check = |n: i32, name: &str| -> ApiResult<u64> {
            let n = u64::try_from(n)
                .map_err(|_| ApiError::bad_input(format!("`{name}` must not be negative")))?;
            if n > max_page_size {
                return Err(ApiError::bad_input(format!(
                    "`{name}` must be at most {max_page_size} (got {n}); page through larger sets with cursors"
                )));
            }
            Ok(n)
        };
        let (limit, direction) = match (self.first, self.last) {
            (_, Some(last)) => (check(last, "last")?, Direction::Backward),
            (Some(first), None) => (check(first, "first")?, Direction::Forward),
            (None, None) if self.before.is_some() => {
                (DEFAULT_PAGE_SIZE.min(max_page_size), Direction::Backward)
            }
            (None, None) => (DEFAULT_PAGE_SIZE.min(max_page_size), Direction::Forward),
        };
        let (cursor_text, argument) = match direction {
            Direction::Forward => (self.after.as_deref(), "after"),
            Direction::Backward => (self.before.as_deref(), "before"),
        };
        if direction == Direction::Forward && self.before.is_some() {
            return Err(ApiError::bad_input(
                "`before` goes with `last`; use `after` with `first`",
            ));
        }
        if direction == Direction::Backward && self.after.is_some() {
            return Err(ApiError::bad_input(
                "`after` goes with `first`; use `before` with `last`",
            ));
        }
        let cursor = cursor_text
            .map(|text| Cursor::decode(text, sort_key, argument))
            .transpose()?;
        Ok(PageRequest {
            limit,
            direction,
            cursor,
        })
    }
}

/// The value of the sort column carried in a cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CursorValue {
    Int(i64),
    Text(String),
}

/// A position in one ordering of one connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key the cursor was made for; a cursor from another ordering is refused.
    #[serde(rename = "k")]
    pub sort_key: String,
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub value: Option<CursorValue>,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        // Serialising a struct of strings and integers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(text: &str, sort_key: &str, argument: &str) -> ApiResult<Self> {
        let malformed = || ApiError::bad_input(format!("`{argument}` is not a valid cursor"));
        if text.len() > 1024 {
            return Err(malformed());
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| malformed())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
        // Cursors carry stored values, and no stored text holds a NUL; a forged one would
        // reach PostgreSQL, which refuses NUL in text (an internal error).
        if let Some(CursorValue::Text(text)) = &cursor.value
            && text.contains('\0')
        {
            return Err(malformed());
        }
        if cursor.sort_key != sort_key {
            return Err(ApiError::bad_input(format!(
                "`{argument}` is a cursor for another ordering ({}); request the first page again",
                cursor.sort_key
            )));
        }
        Ok(cursor)
    }
}

/// Relay `PageInfo`.
#[derive(SimpleObject, Clone, Debug, Default)]
#[graphql(shareable)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// One page of rows with their cursors, in display order.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub page_info: PageInfo,
}

impl<T> Page<T> {
    /// Builds a page from rows read with `limit + 1` (the extra row only tells whether more
    /// exist) in the direction of the request.
    pub fn from_rows(
        mut rows: Vec<T>,
        request: &PageRequest,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Self {
        let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        if request.direction == Direction::Backward {
            rows.reverse();
        }
        let items: Vec<(String, T)> = rows
            .into_iter()
            .map(|row| (cursor_of(&row).encode(), row))
            .collect();
        // Relay lets a server answer `false` for the side it cannot know cheaply; knowing that a
        // cursor was given is enough to say there is something before/after it.
        let (has_next_page, has_previous_page) = match request.direction {
            Direction::Forward => (has_more, request.cursor.is_some()),
            Direction::Backward => (request.cursor.is_some(), has_more),
        };
        let page_info = PageInfo {
            has_next_page,
            has_previous_page,
            start_cursor: items.first().map(|(c, _)| c.clone()),
            end_cursor: items.last().map(|(c, _)| c.clone()),
        };
        Self { items, page_info }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_is_bound_to_its_ordering() {
        let cursor = Cursor {
            sort_key: "NAME".into(),
            value: Some(CursorValue::Text("Shirt".into())),
            id: Uuid::nil(),
        };
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text, "NAME", "after").ok(), Some(cursor));
        assert!(Cursor::decode(&text, "PRICE", "after").is_err());
        assert!(Cursor::decode("%%%", "NAME", "after").is_err());
        assert!(Cursor::decode("bm90IGpzb24", "NAME", "after").is_err());
        let forged = Cursor {
            sort_key: "NAME".into(),
            value: Some(CursorValue::Text("a\0".into())),
            id: Uuid::nil(),
        };
        assert!(Cursor::decode(&forged.encode(), "NAME", "after").is_err());
    }

    #[test]
    fn page_size_is_capped_and_must_be_positive() {
        let args = |first| PageArgs {
            first: Some(first),
            ..Default::default()
        };
        assert!(args(100_000).validate(100, "ID").is_err());
        assert!(args(-1).validate(100, "ID").is_err());
        assert_eq!(
            args(100).validate(100, "ID").map(|r| r.limit).ok(),
            Some(100)
        );
    }
}
