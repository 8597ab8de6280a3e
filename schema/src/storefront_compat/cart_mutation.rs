//! The endpoint's cart mutations: Shopify's names and inputs (`merchandiseId`), the cart
//! service underneath (the same calls `/graphql` makes). Unlike `/graphql`, a refused change
//! still returns the cart as it is: storefronts written for Shopify read `.cart` after every
//! mutation and show `userErrors` beside it.

use super::cart::Cart;
use super::ids;
use super::in_context::{CountryCode, country_of, currency_for};
use crate::carts::service::details::{self, BuyerIdentity, CodeTrier};
use crate::carts::service::lines::{self, LineQuantity, NewLine, Outcome};
use crate::carts::service::{access, view};
use crate::common::mutation_cost;
use crate::common::user_error::{ErrorCode, UserError};
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use entities::json::MailingAddress;
use uuid::Uuid;

#[derive(Default)]
pub struct CompatCartMutation;

#[derive(InputObject)]
pub struct CartLineInput {
    pub merchandise_id: ID,
    /// Defaults to 1.
    pub quantity: Option<i32>,
}

#[derive(InputObject)]
pub struct CartLineUpdateInput {
    pub id: ID,
    /// Must be the line's own variant when given (lines do not change variant).
    pub merchandise_id: Option<ID>,
    pub quantity: Option<i32>,
}

#[derive(InputObject)]
pub struct MailingAddressInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub zip: Option<String>,
    /// The country's two-letter code.
    pub country: Option<String>,
    pub phone: Option<String>,
}

#[derive(InputObject)]
pub struct DeliveryAddressInput {
    pub delivery_address: Option<MailingAddressInput>,
}

#[derive(InputObject, Default)]
pub struct CartBuyerIdentityInput {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A new cart's currency follows the country where the store prices in its currency.
    pub country_code: Option<CountryCode>,
    /// The first address is the cart's shipping address.
    pub delivery_address_preferences: Option<Vec<DeliveryAddressInput>>,
}

#[derive(InputObject, Default)]
pub struct CartInput {
    pub lines: Option<Vec<CartLineInput>>,
    pub buyer_identity: Option<CartBuyerIdentityInput>,
    pub discount_codes: Option<Vec<String>>,
}

/// Shopify's codes for why a cart change was refused.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CartErrorCode {
    Invalid,
    InvalidMerchandiseLine,
    MerchandiseNotEnoughStock,
    InvalidDiscountCode,
    InvalidDeliveryGroup,
}

#[derive(SimpleObject)]
pub struct CartUserError {
    pub code: Option<CartErrorCode>,
    pub field: Option<Vec<String>>,
    pub message: String,
}

impl From<UserError> for CartUserError {
    fn from(error: UserError) -> Self {
        let code = match error.code {
            ErrorCode::NotFound if error.field.is_some() => CartErrorCode::InvalidMerchandiseLine,
            ErrorCode::OutOfStock => CartErrorCode::MerchandiseNotEnoughStock,
            ErrorCode::DiscountInvalid | ErrorCode::TooManyAttempts => {
                CartErrorCode::InvalidDiscountCode
            }
            ErrorCode::ShippingMethodUnavailable => CartErrorCode::InvalidDeliveryGroup,
            _ => CartErrorCode::Invalid,
        };
        Self {
            code: Some(code),
            field: error.field,
            message: error.message,
        }
    }
}

#[derive(SimpleObject)]
pub struct CartWarning {
    pub code: String,
    pub message: String,
    pub target: ID,
}

/// Defines a payload type per mutation, as Shopify names them.
macro_rules! cart_payload {
    ($($name:ident),+) => {$(
        #[derive(SimpleObject)]
        pub struct $name {
            pub cart: Option<Cart>,
            pub user_errors: Vec<CartUserError>,
            pub warnings: Vec<CartWarning>,
        }

        impl From<Answer> for $name {
            fn from(answer: Answer) -> Self {
                Self {
                    cart: answer.cart,
                    user_errors: answer.user_errors,
                    warnings: Vec::new(),
                }
            }
        }
    )+};
}

cart_payload!(
    CartCreatePayload,
    CartLinesAddPayload,
    CartLinesUpdatePayload,
    CartLinesRemovePayload,
    CartBuyerIdentityUpdatePayload,
    CartDiscountCodesUpdatePayload
);

/// What every cart mutation answers: the cart and the refusals.
pub struct Answer {
    cart: Option<Cart>,
    user_errors: Vec<CartUserError>,
}

/// The cart after `outcome`; when the change was refused, the cart as it stands (if the
/// caller may read it), with the refusals.
async fn answer(ctx: &Context<'_>, cart_id: Option<Uuid>, outcome: Outcome) -> ApiResult<Answer> {
    match outcome {
        Ok(view) => Ok(Answer {
            cart: Some(Cart::new(view)),
            user_errors: Vec::new(),
        }),
        Err(errors) => {
            let user_errors = errors.into_iter().map(CartUserError::from).collect();
            let Some(cart_id) = cart_id else {
                return Ok(Answer {
                    cart: None,
                    user_errors,
                });
            };
            let state = ctx.state()?;
            let account = ctx.request()?.viewer.account_id();
            let cart = match access::readable(&state.db, cart_id, account).await? {
                Some(cart) => Some(Cart::new(
                    view::view(&state.db, cart, &state.settings.cart_rules).await?,
                )),
                None => None,
            };
            Ok(Answer { cart, user_errors })
        }
    }
}

fn cart_id(id: &ID) -> ApiResult<Uuid> {
    ids::parse(id, "Cart").map_err(|p| ApiError::bad_input(format!("`cartId`: {p}")))
}

fn new_lines(lines: &[CartLineInput], argument: &str) -> ApiResult<Vec<NewLine>> {
    lines
        .iter()
        .map(|line| {
            Ok(NewLine {
                variant_id: ids::parse(&line.merchandise_id, "ProductVariant")
                    .map_err(|p| ApiError::bad_input(format!("`{argument}.merchandiseId`: {p}")))?,
                quantity: line.quantity.unwrap_or(1),
            })
        })
        .collect()
}

/// The buyer as the cart service takes it. Shopify's address fields are all optional; the
/// cart service reports the missing ones, so absent text is passed on as empty.
fn buyer(input: CartBuyerIdentityInput) -> BuyerIdentity {
    let address = input
        .delivery_address_preferences
        .and_then(|preferences| preferences.into_iter().next())
        .and_then(|preference| preference.delivery_address)
        .map(|a| MailingAddress {
            first_name: a.first_name,
            last_name: a.last_name,
            address1: a.address1.unwrap_or_default(),
            address2: a.address2,
            city: a.city.unwrap_or_default(),
            province: a.province,
            zip: a.zip.unwrap_or_default(),
            country_code: a.country.unwrap_or_default(),
            phone: a.phone.or_else(|| input.phone.clone()),
        });
    BuyerIdentity {
        email: input.email,
        shipping_address: address,
        billing_address: None,
    }
}

fn account(ctx: &Context<'_>) -> ApiResult<Option<Uuid>> {
    Ok(ctx.request()?.viewer.account_id())
}

async fn set_codes(ctx: &Context<'_>, cart_id: Uuid, codes: &[String]) -> ApiResult<Outcome> {
    let state = ctx.state()?;
    let request = ctx.request()?;
    let who = CodeTrier {
        account: request.viewer.account_id(),
        client: request.client.as_ref(),
        manages_discounts: request.viewer.has(Permission::ManageDiscounts),
    };
    details::set_discount_codes(
        &ctx.writer()?,
        &state.settings.cart_rules,
        state.budgets.as_ref(),
        cart_id,
        &who,
        codes,
    )
    .await
}

#[Object]
impl CompatCartMutation {
    /// Starts a cart, in the currency of the buyer's country (`buyerIdentity.countryCode`,
    /// else `@inContext(country:)`) when the store prices in it.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_create(
        &self,
        ctx: &Context<'_>,
        input: Option<CartInput>,
    ) -> Result<CartCreatePayload> {
        let state = ctx.state()?;
        let input = input.unwrap_or_default();
        let lines = new_lines(input.lines.as_deref().unwrap_or_default(), "input.lines")?;
        let country = input
            .buyer_identity
            .as_ref()
            .and_then(|b| b.country_code)
            .or_else(|| country_of(ctx));
        let currency = currency_for(country, state.settings.default_currency);
        let outcome = details::create(
            &ctx.writer()?,
            &state.settings.cart_rules,
            account(ctx)?,
            currency,
            &lines,
            input.buyer_identity.map(buyer),
        )
        .await?;
        // Codes are tried on the cart once it exists (their budgets are per cart); a refused
        // code leaves the new cart without codes, and the storefront gets that cart back
        // beside the refusal, as after any other refused change.
        let codes = input.discount_codes.unwrap_or_default();
        let (created, outcome) = match outcome {
            Ok(view) if !codes.is_empty() => {
                let id = view.cart.id;
                (Some(id), set_codes(ctx, id, &codes).await?)
            }
            other => (None, other),
        };
        Ok(answer(ctx, created, outcome).await?.into())
    }

    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_lines_add(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineInput>,
    ) -> Result<CartLinesAddPayload> {
        let state = ctx.state()?;
        let id = self::cart_id(&cart_id)?;
        let lines = new_lines(&lines, "lines")?;
        let outcome = lines::add(
            &ctx.writer()?,
            &state.settings.cart_rules,
            id,
            account(ctx)?,
            &lines,
        )
        .await?;
        Ok(answer(ctx, Some(id), outcome).await?.into())
    }

    /// Sets line quantities (0 removes the line).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_lines_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineUpdateInput>,
    ) -> Result<CartLinesUpdatePayload> {
        let state = ctx.state()?;
        let id = self::cart_id(&cart_id)?;
        let changes = lines
            .iter()
            .map(|line| {
                let line_id = ids::parse(&line.id, "CartLine")
                    .map_err(|p| ApiError::bad_input(format!("`lines.id`: {p}")))?;
                let quantity = line.quantity.ok_or_else(|| {
                    ApiError::bad_input("`lines.quantity` is required: lines do not change variant")
                })?;
                Ok(LineQuantity { line_id, quantity })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let outcome = lines::update(
            &ctx.writer()?,
            &state.settings.cart_rules,
            id,
            account(ctx)?,
            &changes,
        )
        .await?;
        Ok(answer(ctx, Some(id), outcome).await?.into())
    }

    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_lines_remove(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        line_ids: Vec<ID>,
    ) -> Result<CartLinesRemovePayload> {
        let state = ctx.state()?;
        let id = self::cart_id(&cart_id)?;
        let line_ids = line_ids
            .iter()
            .map(|line| {
                ids::parse(line, "CartLine")
                    .map_err(|p| ApiError::bad_input(format!("`lineIds`: {p}")))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let outcome = lines::remove(
            &ctx.writer()?,
            &state.settings.cart_rules,
            id,
            account(ctx)?,
            &line_ids,
        )
        .await?;
        Ok(answer(ctx, Some(id), outcome).await?.into())
    }

    /// Sets the buyer's email and shipping address (the first delivery address preference).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_buyer_identity_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        buyer_identity: CartBuyerIdentityInput,
    ) -> Result<CartBuyerIdentityUpdatePayload> {
        let state = ctx.state()?;
        let id = self::cart_id(&cart_id)?;
        let outcome = details::set_buyer(
            &ctx.writer()?,
            &state.settings.cart_rules,
            id,
            account(ctx)?,
            buyer(buyer_identity),
        )
        .await?;
        Ok(answer(ctx, Some(id), outcome).await?.into())
    }

    /// Replaces the cart's discount codes (the same rules and attempt budgets as `/graphql`).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_discount_codes_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        discount_codes: Option<Vec<String>>,
    ) -> Result<CartDiscountCodesUpdatePayload> {
        let id = self::cart_id(&cart_id)?;
        let outcome = set_codes(ctx, id, &discount_codes.unwrap_or_default()).await?;
        Ok(answer(ctx, Some(id), outcome).await?.into())
    }
}
