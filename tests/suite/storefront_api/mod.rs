//! The Shopify-shaped Storefront endpoint (`/api/{version}/graphql.json`), driven the way a
//! storefront written for Shopify drives it: its catalog pages, its cart, its access rules.
//! The operations here are written for these tests from Shopify's public Storefront API
//! reference (the fields Next.js Commerce and Hydrogen read), not copied from either.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod carts;
mod catalog;
mod real_client;

use e2e::{GraphqlResponse, TestServer};
use serde_json::{Value, json};

/// The version storefront libraries pin most often today.
pub const VERSION: &str = "2025-01";

/// What a product page reads.
pub const PRODUCT_FIELDS: &str = "
  fragment productFields on Product {
    id handle title description descriptionHtml availableForSale tags updatedAt vendor
    options { id name values }
    priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
    compareAtPriceRange { maxVariantPrice { amount } }
    variants(first: 250) { edges { cursor node {
      id title availableForSale quantityAvailable sku
      selectedOptions { name value }
      price { amount currencyCode } compareAtPrice { amount }
    } } }
    featuredImage { url altText width height }
    images(first: 20) { edges { node { url altText width height } } pageInfo { hasNextPage } }
    seo { title description }
  }";

/// A client of the endpoint, with or without a storefront token.
pub struct Storefront<'a> {
    pub server: &'a TestServer,
    pub token: Option<String>,
}

impl<'a> Storefront<'a> {
    pub fn new(server: &'a TestServer) -> Self {
        Self {
            server,
            token: None,
        }
    }

    /// POSTs to `/api/<version>/graphql.json`.
    pub async fn post_to(
        &self,
        version: &str,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<GraphqlResponse> {
        let mut request = self
            .server
            .http()
            .post(self.server.url(&format!("/api/{version}/graphql.json")))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.token {
            request = request.header("X-Shopify-Storefront-Access-Token", token);
        }
        e2e::Endpoint::read(request.send().await?).await
    }

    pub async fn query(&self, query: &str, variables: Value) -> anyhow::Result<GraphqlResponse> {
        self.post_to(VERSION, query, variables).await
    }

    /// The `data` of a query that must succeed.
    pub async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        Ok(self.query(query, variables).await?.data().clone())
    }
}

/// The nodes of a connection's edges.
pub fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| e["node"].clone()).collect())
        .unwrap_or_default()
}
