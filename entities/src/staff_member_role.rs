use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A role a staff member holds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "staff_member_roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::staff_member::Entity",
        from = "Column::CustomerId",
        to = "super::staff_member::Column::CustomerId",
        on_delete = "Cascade",
        fk_name = "fk_staff_member_roles_staff_member"
    )]
    StaffMember,
    #[sea_orm(
        belongs_to = "super::staff_role::Entity",
        from = "Column::RoleId",
        to = "super::staff_role::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_staff_member_roles_staff_role"
    )]
    StaffRole,
}

impl Related<super::staff_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StaffMember.def()
    }
}

impl Related<super::staff_role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StaffRole.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
