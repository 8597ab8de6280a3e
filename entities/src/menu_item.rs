use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One link of a menu's tree. `kind` is COLLECTION, PRODUCT, PAGE, CATEGORY, URL, FRONTPAGE
/// or SEARCH; `resource_id` names the target of resource kinds without a foreign key (a
/// deleted target leaves the item without a link); `url` is the link of URL items.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "menu_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub menu_id: Uuid,
    pub parent_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub title: String,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub kind: String,
    pub resource_id: Option<Uuid>,
    #[sea_orm(column_type = "String(StringLen::N(2048))")]
    pub url: Option<String>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::menu::Entity",
        from = "Column::MenuId",
        to = "super::menu::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_menu_items_menus"
    )]
    Menu,
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_menu_items_parent"
    )]
    Parent,
}

impl Related<super::menu::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Menu.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
