use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A customer account; a staff member when it has a `staff_members` row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Normalised (trimmed, lower-case) so the unique index is case-insensitive in effect.
    #[sea_orm(column_type = "String(StringLen::N(320))", unique)]
    pub email: String,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub first_name: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub last_name: Option<String>,
    /// Unused since staff roles moved to `staff_member_roles` (migration 000022 set it to
    /// NULL). Kept because SQLite cannot drop a column in a foreign key; always NULL.
    pub staff_role_id: Option<Uuid>,
    /// As the customer typed it (digits, spaces, `+-().`), checked but not reformatted.
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub phone: Option<String>,
    /// Whether the customer agreed to marketing mail (`customerUpdate`); false until they do.
    pub accepts_marketing: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::staff_role::Entity",
        from = "Column::StaffRoleId",
        to = "super::staff_role::Column::Id",
        on_delete = "SetNull",
        fk_name = "fk_customers_staff_role"
    )]
    StaffRole,
    #[sea_orm(has_many = "super::refresh_token::Entity")]
    RefreshToken,
    #[sea_orm(has_many = "super::cart::Entity")]
    Cart,
    #[sea_orm(has_many = "super::order::Entity")]
    Order,
}

impl Related<super::staff_role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StaffRole.def()
    }
}

impl Related<super::refresh_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RefreshToken.def()
    }
}

impl Related<super::cart::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cart.def()
    }
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
