//! The Shopify-shaped Storefront endpoint (SPEC section 11), being built for issue 19: what
//! storefronts written for Shopify's Storefront API (Next.js Commerce, Hydrogen) need to run
//! on shopgraph by changing one URL. So far: the ids and API versions it speaks.

pub mod ids;
pub mod versions;
