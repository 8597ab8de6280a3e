//! `graphql/schema.graphql` is what `shopgraph export-schema` prints. Regenerate it with
//! `cargo run -- export-schema > graphql/schema.graphql` after changing the schema;
//! `graphql/storefront.graphql` is the Shopify-shaped endpoint's (`export-schema --storefront`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn checked_in_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../graphql/schema.graphql");
    let checked_in = std::fs::read_to_string(path).expect("graphql/schema.graphql exists");
    let current = schema::export_sdl();
    assert!(
        checked_in == current,
        "graphql/schema.graphql is out of date: run `cargo run -- export-schema > graphql/schema.graphql`"
    );
}

#[test]
fn checked_in_storefront_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../graphql/storefront.graphql");
    let checked_in = std::fs::read_to_string(path).expect("graphql/storefront.graphql exists");
    let current = schema::storefront_compat::export_sdl();
    assert!(
        checked_in == current,
        "graphql/storefront.graphql is out of date: run `cargo run -- export-schema --storefront > graphql/storefront.graphql`"
    );
}
