use crate::json::StringList;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A staff-made subscription: where to POST events of its topics, signed with its secret.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(2048))")]
    pub url: String,
    /// `WebhookTopic` names (`["ORDER_CREATED","STOCK_OUT"]`).
    #[sea_orm(column_type = "JsonBinary")]
    pub topics: StringList,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub description: Option<String>,
    /// Only active webhooks get new deliveries and have theirs sent.
    pub active: bool,
    /// `whsec_…`: shown once to staff, kept to sign every delivery.
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub secret: Secret,
    /// Failed attempts since the last success; enough of them switch the webhook off.
    pub consecutive_failures: i32,
    /// Why the server switched it off (null when staff did, or when it is on).
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub disabled_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A signing secret. Its `Debug` and serde forms hide it, so a logged or serialised row never
/// shows it; [`Secret::expose`] is the one way to read it.
#[derive(Clone, PartialEq, Eq, DeriveValueType)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("whsec_…")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::webhook_delivery::Entity")]
    WebhookDelivery,
}

impl Related<super::webhook_delivery::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebhookDelivery.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
