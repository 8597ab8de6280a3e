//! Relay connections with Shopify's type names (`ProductConnection`, `ProductVariantEdge` …).
//! Listings read from the database come as a [`Page`] with its cursors; short lists held in
//! memory (a product's variants and images, a cart's lines) are sliced here, with the
//! position as cursor, because storefronts always page them with `first:`. A page is a
//! [`Listed`] until it becomes its node type's connection.

use super::cart::CartLine;
use super::collection::Collection;
use super::content::Page as ContentPage;
use super::product::{Image, Product, ProductVariant};
use crate::common::pagination::{Page, PageInfo};
use crate::error::{ApiError, ApiResult};
use async_graphql::SimpleObject;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Most items a connection over a list in memory returns at once (Shopify's own cap).
pub const MAX_LIST_PAGE: i32 = 250;

/// What a list held in memory counts for in a query's complexity, as a multiple of its
/// items' cost. Storefronts ask for `variants(first: 250)` to mean "all of them"; what the
/// answer costs is the few variants a product has, already read with the product, so `first`
/// is not the measure (a listing of 100 products with all their variants must stay within
/// `MAX_QUERY_COMPLEXITY`).
pub const IN_MEMORY_LIST_COST: usize = 4;

/// Defines a connection type and its edge type for one node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty) => {
        #[derive(SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        #[derive(SimpleObject)]
        pub struct $connection {
            pub edges: Vec<$edge>,
            pub nodes: Vec<$node>,
            pub page_info: PageInfo,
        }

        impl From<Listed<$node>> for $connection {
            fn from(listed: Listed<$node>) -> Self {
                let nodes = listed.items.iter().map(|(_, node)| node.clone()).collect();
                let edges = listed
                    .items
                    .into_iter()
                    .map(|(cursor, node)| $edge { cursor, node })
                    .collect();
                Self {
                    edges,
                    nodes,
                    page_info: listed.page_info,
                }
            }
        }
    };
}

connection!(ProductConnection, ProductEdge, Product);
connection!(ProductVariantConnection, ProductVariantEdge, ProductVariant);
connection!(ImageConnection, ImageEdge, Image);
connection!(CollectionConnection, CollectionEdge, Collection);
connection!(PageConnection, PageEdge, ContentPage);
connection!(BaseCartLineConnection, BaseCartLineEdge, CartLine);

/// The nodes of one page with their cursors, before they take their connection type.
pub struct Listed<T> {
    pub items: Vec<(String, T)>,
    pub page_info: PageInfo,
}

impl<T> Listed<T> {
    /// A page read from the database, each row mapped to its node.
    pub fn from_page<R>(page: Page<R>, node: impl Fn(R) -> T) -> Self {
        Self {
            items: page
                .items
                .into_iter()
                .map(|(cursor, row)| (cursor, node(row)))
                .collect(),
            page_info: page.page_info,
        }
    }
}

/// Paging arguments of a list held in memory.
#[derive(Clone, Debug, Default)]
pub struct ListArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub reverse: Option<bool>,
}

impl<T> Listed<T> {
    /// The slice of `items` the arguments select.
    pub fn slice(mut items: Vec<T>, args: &ListArgs) -> ApiResult<Self> {
        if args.first.is_some() && args.last.is_some() {
            return Err(ApiError::bad_input(
                "pass either `first` or `last`, not both",
            ));
        }
        if args.reverse == Some(true) {
            items.reverse();
        }
        let bound = |n: Option<i32>, name: &str| -> ApiResult<Option<usize>> {
            match n {
                None => Ok(None),
                Some(n) if (0..=MAX_LIST_PAGE).contains(&n) => Ok(usize::try_from(n).ok()),
                Some(_) => Err(ApiError::bad_input(format!(
                    "`{name}` must be between 0 and {MAX_LIST_PAGE}"
                ))),
            }
        };
        let (first, last) = (bound(args.first, "first")?, bound(args.last, "last")?);
        if first.is_none() && last.is_none() {
            return Err(ApiError::bad_input("pass `first` or `last`"));
        }
        let total = items.len();
        let start = match &args.after {
            Some(cursor) => position(cursor, "after")?.saturating_add(1).min(total),
            None => 0,
        };
        let end = match &args.before {
            Some(cursor) => position(cursor, "before")?.min(total).max(start),
            None => total,
        };
        let (from, to) = match (first, last) {
            (Some(n), _) => (start, (start + n).min(end)),
            (None, Some(n)) => (end.saturating_sub(n).max(start), end),
            (None, None) => (start, end),
        };
        let items: Vec<(String, T)> = items
            .into_iter()
            .enumerate()
            .skip(from)
            .take(to - from)
            .map(|(index, node)| (cursor_at(index), node))
            .collect();
        // Whether the whole list holds items beyond this slice, on either side.
        let page_info = PageInfo {
            has_next_page: to < total,
            has_previous_page: from > 0,
            start_cursor: items.first().map(|(c, _)| c.clone()),
            end_cursor: items.last().map(|(c, _)| c.clone()),
        };
        Ok(Self { items, page_info })
    }
}

fn cursor_at(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("at:{index}"))
}

fn position(cursor: &str, argument: &str) -> ApiResult<usize> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("at:")?.parse().ok())
        .ok_or_else(|| ApiError::bad_input(format!("`{argument}` is not a cursor of this list")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ids(listed: &Listed<i32>) -> Vec<i32> {
        listed.items.iter().map(|(_, n)| *n).collect()
    }

    fn args(first: Option<i32>, after: Option<String>, last: Option<i32>) -> ListArgs {
        ListArgs {
            first,
            after,
            last,
            ..ListArgs::default()
        }
    }

    #[test]
    fn slices_forward_and_backward_with_position_cursors() {
        let items: Vec<i32> = (0..5).collect();
        let page = Listed::slice(items.clone(), &args(Some(2), None, None)).unwrap();
        assert_eq!(ids(&page), [0, 1]);
        assert!(page.page_info.has_next_page);
        let next = Listed::slice(
            items.clone(),
            &args(Some(10), page.page_info.end_cursor.clone(), None),
        )
        .unwrap();
        assert_eq!(ids(&next), [2, 3, 4]);
        assert!(!next.page_info.has_next_page && next.page_info.has_previous_page);
        let tail = Listed::slice(items.clone(), &args(None, None, Some(2))).unwrap();
        assert_eq!(ids(&tail), [3, 4]);
        assert!(Listed::slice(items.clone(), &args(Some(251), None, None)).is_err());
        assert!(Listed::slice(items, &args(Some(1), Some("nope".into()), None)).is_err());
    }
}
