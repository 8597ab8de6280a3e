//! What marketing mails show: the variant that is back, the cart that waits.

use super::Reader;
use crate::error::ApiResult;
use entities::enums::CartStatus;
use entities::{cart, cart_line, product, product_variant};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

impl Reader<'_> {
    /// The variant that is back and its product's page.
    pub(super) async fn product(&self, variant_id: Uuid) -> ApiResult<Option<Value>> {
        let Some((variant, Some(product))) = product_variant::Entity::find_by_id(variant_id)
            .find_also_related(product::Entity)
            .one(self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(json!({
            "name": product.name,
            "variant_name": variant.name,
            "sku": variant.sku,
            "url": self.links.product(&product.slug),
        })))
    }

    /// The cart's lines and its recovery link; `None` when it was checked out or emptied.
    pub(super) async fn cart(&self, cart_id: Uuid) -> ApiResult<Option<Value>> {
        let Some(cart) = cart::Entity::find_by_id(cart_id).one(self.db).await? else {
            return Ok(None);
        };
        if cart.status != CartStatus::Active {
            return Ok(None);
        }
        let lines = cart_line::Entity::find()
            .filter(cart_line::Column::CartId.eq(cart_id))
            .order_by_asc(cart_line::Column::CreatedAt)
            .find_also_related(product_variant::Entity)
            .all(self.db)
            .await?;
        if lines.is_empty() {
            return Ok(None);
        }
        let product_ids: Vec<Uuid> = lines
            .iter()
            .filter_map(|(_, variant)| variant.as_ref().map(|v| v.product_id))
            .collect();
        let products = product::Entity::find()
            .filter(product::Column::Id.is_in(product_ids))
            .all(self.db)
            .await?;
        let lines: Vec<Value> = lines
            .iter()
            .filter_map(|(line, variant)| {
                let variant = variant.as_ref()?;
                let product = products.iter().find(|p| p.id == variant.product_id)?;
                Some(json!({
                    "product_name": product.name,
                    "variant_name": variant.name,
                    "sku": variant.sku,
                    "quantity": line.quantity,
                }))
            })
            .collect();
        Ok(Some(
            json!({ "url": self.links.cart(cart.id), "lines": lines }),
        ))
    }
}
