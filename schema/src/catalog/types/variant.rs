use super::Product;
use crate::catalog::loaders::{PricesOfVariant, ProductById, VariantOffer};
use crate::catalog::service::is_visible;
use crate::common::in_memory::{InMemoryObject, nested, nested_list};
use crate::common::money::{CurrencyCode, Money};
use crate::context::ContextExt;
use crate::inventory::loaders::StockOfVariant;
use crate::inventory::query::STOCK_READERS;
use crate::inventory::types::StockLevel;
use async_graphql::{Context, ID, InputType, Object, Result, SimpleObject, Value};
use entities::{product_variant, variant_price};

/// A purchasable version of a product (a size, a colour), with its own SKU, prices and stock.
#[derive(Clone)]
pub struct ProductVariant {
    pub model: product_variant::Model,
    pub currency: CurrencyCode,
    /// Prices and stock read together with the variant (`Product.variants`). `None` when the
    /// variant comes from elsewhere (cart lines, lookups by id): the per-edge loaders then
    /// read them, batched across the variants of the answer.
    preloaded: Option<Preloaded>,
}

#[derive(Clone)]
struct Preloaded {
    prices: Vec<variant_price::Model>,
    available: i64,
}

impl ProductVariant {
    pub fn new(model: product_variant::Model, currency: CurrencyCode) -> Self {
        Self {
            model,
            currency,
            preloaded: None,
        }
    }

    /// A variant whose prices and stock were read with it.
    pub fn from_offer(offer: VariantOffer, currency: CurrencyCode) -> Self {
        Self {
            model: offer.variant,
            currency,
            preloaded: Some(Preloaded {
                prices: offer.prices,
                available: offer.available,
            }),
        }
    }

    /// A cart line's variant: its price in the cart's currency (amount, compare-at amount)
    /// and its availability were read with the cart.
    pub fn from_line(
        model: product_variant::Model,
        currency: CurrencyCode,
        price: Option<(i64, Option<i64>)>,
        available: i64,
    ) -> Self {
        let prices = price
            .map(|(amount, compare_at_amount)| variant_price::Model {
                variant_id: model.id,
                currency_code: currency.as_str().to_owned(),
                amount,
                compare_at_amount,
            })
            .into_iter()
            .collect();
        Self {
            model,
            currency,
            preloaded: Some(Preloaded { prices, available }),
        }
    }

    /// The stored variant.
    pub fn model(&self) -> &product_variant::Model {
        &self.model
    }

    /// The currency its prices are shown in unless a field names another.
    pub fn currency(&self) -> CurrencyCode {
        self.currency
    }

    /// Its price row in `currency` (loaded, batched, unless read with the variant).
    pub async fn price_row(
        &self,
        ctx: &Context<'_>,
        currency: CurrencyCode,
    ) -> Result<Option<variant_price::Model>> {
        let in_currency = |p: &variant_price::Model| p.currency_code == currency.as_str();
        if let Some(preloaded) = &self.preloaded {
            return Ok(preloaded.prices.iter().find(|p| in_currency(p)).cloned());
        }
        let prices = ctx
            .request()?
            .catalog
            .load_one(PricesOfVariant(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(prices.into_iter().find(in_currency))
    }

    /// Units that can be sold now (loaded, batched, unless read with the variant).
    pub async fn available(&self, ctx: &Context<'_>) -> Result<i64> {
        if let Some(preloaded) = &self.preloaded {
            return Ok(preloaded.available);
        }
        let levels = ctx
            .request()?
            .inventory
            .load_one(StockOfVariant(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(levels
            .iter()
            .map(|l| i64::from(l.on_hand - l.allocated).max(0))
            .sum())
    }
}

/// `quantityAvailable`: the units, capped at the largest GraphQL `Int`.
fn units_shown(available: i64) -> i32 {
    i32::try_from(available).unwrap_or(i32::MAX)
}

/// A variant read with its prices and stock (`Product.variants`) answers its storefront fields
/// from memory; `product` and `stockLevels` load, and make the derived resolver answer.
impl InMemoryObject for ProductVariant {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        let preloaded = self.preloaded.as_ref()?;
        let price_in = |field: &Context<'_>| {
            let currency = currency_argument(field)?.unwrap_or(self.currency);
            let row = preloaded
                .prices
                .iter()
                .find(|p| p.currency_code == currency.as_str());
            Some((row, currency))
        };
        Some(match field.item.node.name.node.as_str() {
            "id" => Value::String(self.model.id.to_string()),
            "sku" => self.model.sku.to_value(),
            "name" => self.model.name.to_value(),
            "selectedOptions" => nested_list(&self.selected_options_list(), field)?,
            "price" => match price_in(field)? {
                (Some(row), currency) => nested(&Money::from_minor(row.amount, currency), field)?,
                (None, _) => Value::Null,
            },
            "compareAtPrice" => match price_in(field)? {
                (
                    Some(variant_price::Model {
                        compare_at_amount: Some(amount),
                        ..
                    }),
                    currency,
                ) => nested(&Money::from_minor(*amount, currency), field)?,
                _ => Value::Null,
            },
            "quantityAvailable" => units_shown(preloaded.available).to_value(),
            "availableForSale" => (preloaded.available > 0).to_value(),
            _ => return None,
        })
    }
}

/// The field's optional `currency` argument; `None` (fall back to the derived resolver, which
/// reports it) when it does not parse.
pub(super) fn currency_argument(field: &Context<'_>) -> Option<Option<CurrencyCode>> {
    field
        .param_value::<Option<CurrencyCode>>("currency", None)
        .ok()
        .map(|(_, currency)| currency)
}

/// An option that tells variants apart, e.g. `Size: M`.
#[derive(SimpleObject, Clone, Debug)]
pub struct SelectedOption {
    pub name: String,
    pub value: String,
}

impl InMemoryObject for SelectedOption {
    fn field(&self, field: &Context<'_>) -> Option<Value> {
        Some(match field.item.node.name.node.as_str() {
            "name" => self.name.to_value(),
            "value" => self.value.to_value(),
            _ => return None,
        })
    }
}

impl ProductVariant {
    fn selected_options_list(&self) -> Vec<SelectedOption> {
        self.model
            .options
            .0
            .iter()
            .map(|o| SelectedOption {
                name: o.name.clone(),
                value: o.value.clone(),
            })
            .collect()
    }
}

#[Object]
impl ProductVariant {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    async fn sku(&self) -> &str {
        &self.model.sku
    }

    async fn name(&self) -> &str {
        &self.model.name
    }

    /// The product this variant belongs to (null when it is not visible to the viewer).
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let request = ctx.request()?;
        let product = request
            .catalog
            .load_one(ProductById(self.model.product_id))
            .await?;
        Ok(product
            .filter(|p| is_visible(&request.viewer, p))
            .map(|p| Product::new(p, self.currency)))
    }

    async fn selected_options(&self) -> Vec<SelectedOption> {
        self.selected_options_list()
    }

    /// Price in `currency` (default: the listing currency); null when not sold in it.
    async fn price(
        &self,
        ctx: &Context<'_>,
        currency: Option<CurrencyCode>,
    ) -> Result<Option<Money>> {
        let currency = currency.unwrap_or(self.currency);
        Ok(self
            .price_row(ctx, currency)
            .await?
            .map(|p| Money::from_minor(p.amount, currency)))
    }

    /// The "was" price shown struck through, when the variant is on sale.
    async fn compare_at_price(
        &self,
        ctx: &Context<'_>,
        currency: Option<CurrencyCode>,
    ) -> Result<Option<Money>> {
        let currency = currency.unwrap_or(self.currency);
        let row = self.price_row(ctx, currency).await?;
        Ok(row
            .and_then(|p| p.compare_at_amount)
            .map(|a| Money::from_minor(a, currency)))
    }

    /// Units that can be sold now: on hand minus allocated, over all warehouses.
    async fn quantity_available(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(units_shown(self.available(ctx).await?))
    }

    async fn available_for_sale(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.available(ctx).await? > 0)
    }

    /// Stock per warehouse (staff).
    #[graphql(cache_control(no_cache))]
    async fn stock_levels(&self, ctx: &Context<'_>) -> Result<Vec<StockLevel>> {
        let request = ctx.request()?;
        request.viewer.require_any(STOCK_READERS)?;
        let levels = request
            .inventory
            .load_one(StockOfVariant(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(levels
            .into_iter()
            .map(|model| StockLevel { model })
            .collect())
    }
}
