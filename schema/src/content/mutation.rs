//! Staff changes to content (MANAGE_SETTINGS): `menuCreate/Update/Delete` and
//! `pageCreate/Update/Delete`.

use super::service::links;
use super::service::menu_items::ItemSpec;
use super::service::menus::{self, MenuOutcome, MenuSpec};
use super::service::pages::{self, PageOutcome, PageSpec};
use super::types::{
    Menu, MenuCreateInput, MenuDeletePayload, MenuItemInput, MenuPayload, MenuUpdateInput, Page,
    PageCreateInput, PageDeletePayload, PagePayload, PageSeoInput, PageUpdateInput,
};
use crate::common::ids::parse_id;
use crate::common::mutation_cost;
use crate::common::user_error::UserError;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

#[derive(Default)]
pub struct ContentMutation;

fn require_settings(ctx: &Context<'_>) -> Result<()> {
    ctx.request()?
        .viewer
        .require_any(&[Permission::ManageSettings])?;
    Ok(())
}

fn item_specs(items: Option<Vec<MenuItemInput>>) -> Option<Vec<ItemSpec>> {
    items.map(|items| {
        items
            .into_iter()
            .map(|item| ItemSpec {
                title: item.title,
                kind: item.kind,
                resource_id: item.resource_id.map(|id| id.0),
                url: item.url,
                items: item_specs(item.items).unwrap_or_default(),
            })
            .collect()
    })
}

fn seo(input: Option<PageSeoInput>) -> Option<(Option<String>, Option<String>)> {
    input.map(|seo| (seo.title, seo.description))
}

async fn menu_payload(ctx: &Context<'_>, outcome: MenuOutcome) -> Result<MenuPayload> {
    Ok(match outcome {
        Ok(stored) => {
            let links = links::resolve(&ctx.state()?.db, stored.items.clone()).await?;
            MenuPayload {
                menu: Some(Menu { stored, links }),
                user_errors: Vec::new(),
            }
        }
        Err(user_errors) => MenuPayload {
            menu: None,
            user_errors,
        },
    })
}

fn page_payload(outcome: PageOutcome) -> PagePayload {
    match outcome {
        Ok(page) => PagePayload {
            page: Some(Page(page)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => PagePayload {
            page: None,
            user_errors,
        },
    }
}

fn deleted(outcome: Result<Uuid, Vec<UserError>>) -> (Option<ID>, Vec<UserError>) {
    match outcome {
        Ok(id) => (Some(ID(id.to_string())), Vec::new()),
        Err(errors) => (None, errors),
    }
}

#[Object]
impl ContentMutation {
    /// Creates a menu with its whole item tree.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn menu_create(&self, ctx: &Context<'_>, input: MenuCreateInput) -> Result<MenuPayload> {
        require_settings(ctx)?;
        let spec = MenuSpec {
            handle: Some(input.handle),
            title: Some(input.title),
            items: item_specs(input.items),
        };
        let outcome = menus::create(&ctx.writer()?, spec).await?;
        menu_payload(ctx, outcome).await
    }

    /// Changes a menu; `items`, when given, replaces the whole tree.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn menu_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: MenuUpdateInput,
    ) -> Result<MenuPayload> {
        require_settings(ctx)?;
        let spec = MenuSpec {
            handle: input.handle,
            title: input.title,
            items: item_specs(input.items),
        };
        let outcome = menus::update(&ctx.writer()?, parse_id(&id, "id")?, spec).await?;
        menu_payload(ctx, outcome).await
    }

    /// Deletes a menu and its items.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn menu_delete(&self, ctx: &Context<'_>, id: ID) -> Result<MenuDeletePayload> {
        require_settings(ctx)?;
        let id = parse_id(&id, "id")?;
        let (deleted_menu_id, user_errors) = deleted(menus::delete(&ctx.writer()?, id).await?);
        Ok(MenuDeletePayload {
            deleted_menu_id,
            user_errors,
        })
    }

    /// Creates a page; its body is sanitised before it is stored.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn page_create(&self, ctx: &Context<'_>, input: PageCreateInput) -> Result<PagePayload> {
        require_settings(ctx)?;
        let spec = PageSpec {
            handle: Some(input.handle),
            title: Some(input.title),
            body: Some(input.body.unwrap_or_default()),
            summary: input.summary,
            seo: seo(input.seo),
            published: input.published,
        };
        Ok(page_payload(pages::create(&ctx.writer()?, spec).await?))
    }

    /// Changes a page; fields left out keep their value.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn page_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PageUpdateInput,
    ) -> Result<PagePayload> {
        require_settings(ctx)?;
        let spec = PageSpec {
            handle: input.handle,
            title: input.title,
            body: input.body,
            summary: input.summary,
            seo: seo(input.seo),
            published: input.published,
        };
        let outcome = pages::update(&ctx.writer()?, parse_id(&id, "id")?, spec).await?;
        Ok(page_payload(outcome))
    }

    /// Deletes a page. Menu items that linked to it stay, without a link.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn page_delete(&self, ctx: &Context<'_>, id: ID) -> Result<PageDeletePayload> {
        require_settings(ctx)?;
        let id = parse_id(&id, "id")?;
        let (deleted_page_id, user_errors) = deleted(pages::delete(&ctx.writer()?, id).await?);
        Ok(PageDeletePayload {
            deleted_page_id,
            user_errors,
        })
    }
}
