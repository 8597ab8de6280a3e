//! GraphQL types of storefront access tokens.

use crate::common::user_error::UserError;
use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use entities::storefront_token;

/// A storefront's access token (its secret is never shown again after creation).
#[derive(SimpleObject)]
pub struct StorefrontToken {
    pub id: ID,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// When it stopped working; null while it works.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<storefront_token::Model> for StorefrontToken {
    fn from(model: storefront_token::Model) -> Self {
        Self {
            id: ID(model.id.to_string()),
            name: model.name,
            created_at: model.created_at,
            revoked_at: model.revoked_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct StorefrontTokenCreatePayload {
    pub storefront_token: Option<StorefrontToken>,
    /// The token to configure in the storefront (`X-Shopify-Storefront-Access-Token`),
    /// shown this once.
    pub token: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct StorefrontTokenRevokePayload {
    pub storefront_token: Option<StorefrontToken>,
    pub user_errors: Vec<UserError>,
}
