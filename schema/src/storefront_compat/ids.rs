//! Global ids as Shopify's Storefront API writes them: `gid://shopgraph/<Type>/<uuid>`.
//! Storefronts treat ids as opaque strings, but some parse the type out of them (Hydrogen's
//! `parseGid`), so the endpoint returns this form and accepts it (and, leniently, a bare
//! uuid, which is what `/graphql` returns).

use uuid::Uuid;

const SCHEME: &str = "gid://shopgraph/";

/// The global id of the `kind` (e.g. `Product`, `ProductVariant`, `Collection`) `id`.
pub fn gid(kind: &str, id: Uuid) -> String {
    format!("{SCHEME}{kind}/{id}")
}

/// Why an id was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GidProblem {
    #[error("not an id of this shop")]
    Malformed,
    #[error("this is the id of a {found}, not of a {expected}")]
    WrongKind { expected: String, found: String },
}

/// The uuid of a `kind` given as a global id or a bare uuid.
pub fn parse(text: &str, kind: &str) -> Result<Uuid, GidProblem> {
    let text = text.trim();
    let Some(rest) = text.strip_prefix(SCHEME) else {
        return Uuid::parse_str(text).map_err(|_| GidProblem::Malformed);
    };
    let (found, id) = rest.split_once('/').ok_or(GidProblem::Malformed)?;
    if found != kind {
        return Err(GidProblem::WrongKind {
            expected: kind.to_owned(),
            found: found.to_owned(),
        });
    }
    // Shopify ids may carry a query (`?key=…` on carts): the uuid is what comes before it.
    let id = id.split('?').next().unwrap_or_default();
    Uuid::parse_str(id).map_err(|_| GidProblem::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_name_their_kind() {
        let id = Uuid::now_v7();
        let product = gid("Product", id);
        assert_eq!(product, format!("gid://shopgraph/Product/{id}"));
        assert_eq!(parse(&product, "Product"), Ok(id));
        assert_eq!(parse(&id.to_string(), "Product"), Ok(id), "bare uuids too");
        assert_eq!(parse(&format!("{product}?key=abc"), "Product"), Ok(id));
        assert_eq!(
            parse(&product, "Collection"),
            Err(GidProblem::WrongKind {
                expected: "Collection".into(),
                found: "Product".into()
            })
        );
        for bad in [
            "",
            "gid://shopify/Product/1",
            "gid://shopgraph/Product/",
            "42",
            "gid://shopgraph/Product",
        ] {
            assert_eq!(parse(bad, "Product"), Err(GidProblem::Malformed), "{bad:?}");
        }
    }
}
