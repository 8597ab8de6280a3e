use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A storefront's access token for the Shopify-shaped endpoint. The token itself is shown
/// once, when staff create it; only its SHA-256 is kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "storefront_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What staff call it ("Next.js storefront").
    #[sea_orm(column_type = "String(StringLen::N(100))")]
    pub name: String,
    /// SHA-256 hex of the token.
    #[sea_orm(column_type = "String(StringLen::N(64))", unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    /// Set once the token stops working (`storefrontTokenRevoke`).
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
