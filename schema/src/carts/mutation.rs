//! Storefront cart mutations. Resolvers parse ids and hand over to the cart service;
//! business failures come back as `userErrors` with nothing changed.

use super::service::details::{self, BuyerIdentity, CodeTrier};
use super::service::lines::{self, LineQuantity, NewLine, Outcome};
use super::types::{
    Cart, CartBuyerIdentityInput, CartCreateInput, CartLineInput, CartLineUpdateInput, CartPayload,
};
use crate::common::ids::{parse_id, parse_ids};
use crate::common::mutation_cost;
use crate::context::ContextExt;
use crate::customers::auth::Permission;
use crate::error::ApiResult;
use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

#[derive(Default)]
pub struct CartMutation;

fn payload(outcome: Outcome) -> CartPayload {
    match outcome {
        Ok(view) => CartPayload {
            cart: Some(Cart(view)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => CartPayload {
            cart: None,
            user_errors,
        },
    }
}

fn new_lines(lines: &[CartLineInput], argument: &str) -> ApiResult<Vec<NewLine>> {
    lines
        .iter()
        .map(|line| {
            Ok(NewLine {
                variant_id: parse_id(&line.variant_id, argument)?,
                quantity: line.quantity,
            })
        })
        .collect()
}

fn buyer(input: CartBuyerIdentityInput) -> BuyerIdentity {
    BuyerIdentity {
        email: input.email,
        shipping_address: input.shipping_address.map(Into::into),
        billing_address: input.billing_address.map(Into::into),
    }
}

fn account(ctx: &Context<'_>) -> ApiResult<Option<Uuid>> {
    Ok(ctx.request()?.viewer.account_id())
}

#[Object]
impl CartMutation {
    /// Starts a cart. Signed in, it belongs to the customer; otherwise it is a guest cart that
    /// whoever holds its id can use (keep the id private, like a session).
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_create(
        &self,
        ctx: &Context<'_>,
        input: Option<CartCreateInput>,
    ) -> Result<CartPayload> {
        let state = ctx.state()?;
        let input = input.unwrap_or_default();
        let lines = new_lines(
            input.lines.as_deref().unwrap_or_default(),
            "input.lines.variantId",
        )?;
        let currency = input
            .currency_code
            .unwrap_or(state.settings.default_currency);
        let outcome = details::create(
            &ctx.writer()?,
            &state.settings.cart_rules,
            account(ctx)?,
            currency,
            &lines,
            input.buyer_identity.map(buyer),
        )
        .await?;
        Ok(payload(outcome))
    }

    /// Adds lines; adding a variant already in the cart adds to its quantity. Refused as a
    /// whole when any line is unknown, not for sale, not priced in the cart's currency, over
    /// 999 units or over the available stock.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_lines_add(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineInput>,
    ) -> Result<CartPayload> {
        let state = ctx.state()?;
        let cart_id = parse_id(&cart_id, "cartId")?;
        let lines = new_lines(&lines, "lines.variantId")?;
        let outcome = lines::add(
            &ctx.writer()?,
            &state.settings.cart_rules,
            cart_id,
            account(ctx)?,
            &lines,
        )
        .await?;
        Ok(payload(outcome))
    }

    /// Sets line quantities (0 removes the line). Raising a quantity needs the stock;
    /// lowering one is always allowed.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_lines_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineUpdateInput>,
    ) -> Result<CartPayload> {
        let state = ctx.state()?;
        let cart_id = parse_id(&cart_id, "cartId")?;
        let changes = lines
            .iter()
            .map(|line| {
                Ok(LineQuantity {
                    line_id: parse_id(&line.id, "lines.id")?,
                    quantity: line.quantity,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let outcome = lines::update(
            &ctx.writer()?,
            &state.settings.cart_rules,
            cart_id,
            account(ctx)?,
            &changes,
        )
        .await?;
        Ok(payload(outcome))
    }

    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_lines_remove(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        line_ids: Vec<ID>,
    ) -> Result<CartPayload> {
        let state = ctx.state()?;
        let cart_id = parse_id(&cart_id, "cartId")?;
        let line_ids = parse_ids(&line_ids, "lineIds")?;
        let outcome = lines::remove(
            &ctx.writer()?,
            &state.settings.cart_rules,
            cart_id,
            account(ctx)?,
            &line_ids,
        )
        .await?;
        Ok(payload(outcome))
    }

    /// Replaces the cart's discount codes (case-insensitive; an empty list removes them; at
    /// most 5). A code that cannot be used — unknown, inactive, expired, not yet valid, used
    /// up or for another currency — is refused with `DISCOUNT_INVALID` and one message
    /// whatever the reason (staff with MANAGE_DISCOUNTS are told the reason); a code whose
    /// minimum subtotal is not met yet is kept, shown as not applicable. Each code new to the
    /// cart counts against the cart's budget (`TOO_MANY_ATTEMPTS` once spent) and the
    /// client's (`RATE_LIMITED`); a request may hold this mutation once.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_discount_codes_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        discount_codes: Vec<String>,
    ) -> Result<CartPayload> {
        let state = ctx.state()?;
        let request = ctx.request()?;
        let cart_id = parse_id(&cart_id, "cartId")?;
        let who = CodeTrier {
            account: request.viewer.account_id(),
            client: request.client.as_ref(),
            manages_discounts: request.viewer.has(Permission::ManageDiscounts),
        };
        let outcome = details::set_discount_codes(
            &ctx.writer()?,
            &state.settings.cart_rules,
            state.budgets.as_ref(),
            cart_id,
            &who,
            &discount_codes,
        )
        .await?;
        Ok(payload(outcome))
    }

    /// Sets the buyer's email and/or shipping address; fields left out keep their value.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_buyer_identity_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        buyer_identity: CartBuyerIdentityInput,
    ) -> Result<CartPayload> {
        let state = ctx.state()?;
        let cart_id = parse_id(&cart_id, "cartId")?;
        let outcome = details::set_buyer(
            &ctx.writer()?,
            &state.settings.cart_rules,
            cart_id,
            account(ctx)?,
            buyer(buyer_identity),
        )
        .await?;
        Ok(payload(outcome))
    }

    /// Chooses how the cart ships: the id of one of its `availableShippingMethods` (they
    /// depend on the shipping address's country and the cart's currency). Anything else is a
    /// `SHIPPING_METHOD_UNAVAILABLE` user error and changes nothing.
    #[graphql(complexity = "mutation_cost::WRITE + child_complexity")]
    async fn cart_shipping_method_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        shipping_method_id: ID,
    ) -> Result<CartPayload> {
        let state = ctx.state()?;
        let cart_id = parse_id(&cart_id, "cartId")?;
        let outcome = details::set_shipping_method(
            &ctx.writer()?,
            &state.settings.cart_rules,
            cart_id,
            account(ctx)?,
            shipping_method_id.as_str(),
        )
        .await?;
        Ok(payload(outcome))
    }
}
