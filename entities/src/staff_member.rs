use super::enums::StaffStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A customer account that is on the staff; its permissions are its roles'
/// (`staff_member_roles`), held only while ACTIVE.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "staff_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: Uuid,
    pub status: StaffStatus,
    /// The staff member who sent the invitation; none for the configured administrator and
    /// for staff migrated from single roles.
    pub invited_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deactivated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::customer::Entity",
        from = "Column::CustomerId",
        to = "super::customer::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_staff_members_customer"
    )]
    Customer,
    #[sea_orm(has_many = "super::staff_member_role::Entity")]
    StaffMemberRole,
}

impl Related<super::customer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Customer.def()
    }
}

impl Related<super::staff_member_role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StaffMemberRole.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
