//! `checkoutComplete`: a cart becomes an order.
//!
//! One write transaction on the locked cart: validate it, allocate stock for every line (all
//! or nothing), consume the discounts' usage, take an order number, write the order with its
//! snapshot lines, allocations, PLACED event, payment and outbox events, and close the cart.
//! Then the payment provider is asked, outside any transaction; a decline cancels the
//! order in a second transaction (stock released, discount usage given back, cart reopened).
//!
//! Idempotency: `(cart, idempotencyKey)` names one order. A repeat finds it before doing
//! anything; concurrent repeats queue on the cart's row lock and the later ones find the
//! order the first one committed. A converted cart cannot be checked out again.
//!
//! Every answer with an order carries an access key for it (`service/access_keys.rs`), the
//! guest's way back to the order: written in the order's unit, and for a replay (the first
//! key is stored only as a hash) a new one.

use super::access_keys;
use super::lifecycle::{self, Detail};
use super::records::{self, Happening};
use super::transitions::OrderAction;
use crate::carts::service::view::{self, CartView, LineProblem};
use crate::carts::service::{CartRules, access};
use crate::common::clock::now;
use crate::common::email;
use crate::common::money::CurrencyCode;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::service::accounts::{self, email_error};
use crate::discounts::service as discounts;
use crate::error::ApiResult;
use crate::inventory::service::allocation::{self, Allocation, Request, Shortage};
use crate::payments::{Authorized, Outcome, PaymentProviders, PaymentRequest};
use crate::pricing::{Applicability, AppliedDiscount};
use crate::shipping::service::rates::Missing;
use crate::unit_of_work::{Write, Writer};
use entities::enums::{
    OrderEventKind, OrderFulfillmentStatus, OrderPaymentStatus, OrderStatus, PaymentStatus,
};
use entities::{order, order_allocation, order_discount, order_line, payment, product_variant};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;
use uuid::Uuid;

pub struct CheckoutRequest {
    pub cart_id: Uuid,
    pub account: Option<Uuid>,
    pub idempotency_key: String,
    pub provider: String,
    pub token: Option<String>,
}

/// The order, with the user errors that go with it (a declined payment returns both), and
/// a key that opens the order (`None` without an order, or when a replay found the order's
/// keys at their cap).
pub struct CheckoutOutcome {
    pub order: Option<order::Model>,
    pub access_key: Option<String>,
    pub user_errors: Vec<UserError>,
}

impl CheckoutOutcome {
    fn refused(user_errors: Vec<UserError>) -> Self {
        Self {
            order: None,
            access_key: None,
            user_errors,
        }
    }

    fn placed(order: order::Model, access_key: Option<String>) -> Self {
        Self {
            order: Some(order),
            access_key,
            user_errors: Vec::new(),
        }
    }
}

pub async fn complete(
    writer: &Writer,
    rules: &CartRules,
    providers: &PaymentProviders,
    request: CheckoutRequest,
) -> ApiResult<CheckoutOutcome> {
    let db = writer.db();
    let key = match text::required_line(&request.idempotency_key, 255) {
        Ok(key) => key,
        Err(problem) => {
            return Ok(CheckoutOutcome::refused(vec![UserError::new(
                &["idempotencyKey"],
                ErrorCode::Invalid,
                problem.to_string(),
            )]));
        }
    };
    let Some(provider) = providers.get(&request.provider) else {
        return Ok(CheckoutOutcome::refused(vec![UserError::new(
            &["payment", "provider"],
            ErrorCode::Invalid,
            format!(
                "unknown payment provider; use one of: {}",
                providers.names().join(", ")
            ),
        )]));
    };
    // The unique (cart, key) index settles repeats: a converted cart means "look for the
    // order", and a cart reopened after a declined payment fails the order INSERT below.
    let order_id = Uuid::now_v7();
    let mut write = writer.begin().await?;
    let cart = match access::claim_for_checkout(&write, request.cart_id, request.account, order_id)
        .await?
    {
        Ok(cart) => cart,
        Err(error) => {
            drop(write);
            if error.code == ErrorCode::CartConverted
                && let Some(done) = replay(writer, request.cart_id, &key, request.account).await?
            {
                return Ok(done);
            }
            return Ok(CheckoutOutcome::refused(vec![error]));
        }
    };
    let contents = view::contents(write.txn(), cart).await?;
    // Availability comes from the stock rows locked for allocation: read once, and
    // nothing can change between the check and the allocation.
    let stock = allocation::lock_stock(&write, &contents.variant_ids()).await?;
    let cart_view =
        view::priced_with(write.txn(), contents, stock.available(), &rules.pricing).await?;
    let email = match &cart_view.cart.email {
        Some(email) => Some(email.clone()),
        None => account_email(write.txn(), cart_view.cart.customer_id).await?,
    };
    // Carts keep what older versions accepted: the order gets the address's one spelling,
    // or none that hides look-alike or invisible characters.
    let email = match email.as_deref().map(email::normalise).transpose() {
        Ok(email) => email,
        Err(problem) => {
            let field = ["cart", "buyerIdentity", "email"];
            return Ok(CheckoutOutcome::refused(vec![email_error(&field, problem)]));
        }
    };
    if let Err(errors) = check_ready(&cart_view, email.as_deref()) {
        return Ok(CheckoutOutcome::refused(errors));
    }
    let requests: Vec<Request> = cart_view
        .lines
        .iter()
        .map(|l| Request {
            variant_id: l.line.variant_id,
            quantity: l.line.quantity,
        })
        .collect();
    let variants: HashMap<Uuid, product_variant::Model> = cart_view
        .lines
        .iter()
        .map(|l| (l.variant.id, l.variant.clone()))
        .collect();
    let allocated =
        match allocation::allocate(&mut write, &stock, &requests, Some(&variants)).await? {
            Ok(allocated) => allocated,
            Err(shortages) => {
                let errors = shortages
                    .iter()
                    .map(|shortage| shortage_error(&cart_view, shortage))
                    .collect();
                return Ok(CheckoutOutcome::refused(errors));
            }
        };
    let used: Vec<Uuid> = cart_view.priced.applied.iter().map(|a| a.id).collect();
    if !discounts::consume(&write, &used).await? {
        return Ok(CheckoutOutcome::refused(vec![UserError::new(
            &["cart", "discountCodes"],
            ErrorCode::DiscountInvalid,
            "a discount code was used up by other orders a moment ago; remove it or try again",
        )]));
    }
    let written = write_order(
        &mut write,
        NewOrder {
            id: order_id,
            cart: &cart_view,
            email: email.unwrap_or_default(),
            key: &key,
            allocated: &allocated,
            actor: request.account,
        },
    )
    .await;
    let Written {
        order: placed,
        access_key,
    } = match written {
        Ok(written) => written,
        Err(err) if err.is_unique_violation() => {
            // This key already made an order for this cart (which was reopened since).
            drop(write);
            if let Some(done) = replay(writer, request.cart_id, &key, request.account).await? {
                return Ok(done);
            }
            return Err(err);
        }
        Err(err) => return Err(err),
    };
    let payment_id = Uuid::now_v7();
    payment::ActiveModel {
        id: Set(payment_id),
        order_id: Set(placed.id),
        provider: Set(provider.name().to_owned()),
        status: Set(PaymentStatus::Pending),
        amount: Set(placed.total),
        currency_code: Set(placed.currency_code.clone()),
        provider_reference: Set(None),
        captured_amount: Set(0),
        refunded_amount: Set(0),
        refund_reserved: Set(0),
        operation: Set(None),
        operation_started_at: Set(None),
        next_action: Set(None),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(write.txn())
    .await?;
    write.commit().await?;

    let request = PaymentRequest {
        payment_id,
        order_id: placed.id,
        order_number: placed.number,
        amount: placed.total,
        currency: CurrencyCode::stored(&placed.currency_code)?,
        token: request.token.as_deref(),
        capture: providers.capture(),
        idempotency_key: format!("{payment_id}-authorize"),
    };
    let mut outcome = provider.authorize(request.clone()).await;
    if let Outcome::Failed { reason } = &outcome {
        // Transient (a network blip): the same key once more cannot charge twice.
        tracing::warn!(order = %placed.id, reason, "payment failed transiently; retrying once");
        outcome = provider.authorize(request).await;
    }
    Ok(match outcome {
        Outcome::Pending {
            reference,
            next_action,
        } => {
            lifecycle::set_payment_pending(writer, placed.id, reference, next_action).await?;
            CheckoutOutcome::placed(placed, Some(access_key))
        }
        Outcome::Succeeded(Authorized {
            reference,
            captured,
        }) => {
            let (action, note) = if captured {
                (OrderAction::MarkPaid, format!("payment {reference}"))
            } else {
                (OrderAction::Authorize, format!("authorized {reference}"))
            };
            let detail = Detail {
                note: Some(note),
                reference: Some(reference),
                ..Detail::default()
            };
            let moved = match after_charge(writer, placed.id, action, detail).await? {
                Some(moved) => moved,
                // The provider's webhook got there first (or staff did): the order as it is.
                None => order::Entity::find_by_id(placed.id)
                    .one(db)
                    .await?
                    .unwrap_or(placed),
            };
            CheckoutOutcome::placed(moved, Some(access_key))
        }
        Outcome::Declined { reason } | Outcome::Failed { reason } => {
            let detail = Detail {
                note: Some(reason.clone()),
                ..Detail::default()
            };
            let cancelled = after_charge(writer, placed.id, OrderAction::Decline, detail).await?;
            // The key too: the buyer may still want to see the cancelled order.
            CheckoutOutcome {
                order: Some(cancelled.unwrap_or(placed)),
                access_key: Some(access_key),
                user_errors: vec![declined(&reason)],
            }
        }
    })
}

/// The provider's answer applied to the placed order, in a unit of its own (the charge ran
/// outside any transaction). `None` when the order had moved on meanwhile (staff, a webhook).
async fn after_charge(
    writer: &Writer,
    order_id: Uuid,
    action: OrderAction,
    detail: Detail,
) -> ApiResult<Option<order::Model>> {
    let mut write = writer.begin().await?;
    let changed = lifecycle::run(&mut write, order_id, action, detail)
        .await?
        .ok();
    write.commit().await?;
    Ok(changed)
}

/// A line that cannot be covered, named by its place in the cart.
fn shortage_error(cart: &CartView, shortage: &Shortage) -> UserError {
    let message = format!(
        "only {} available, {} wanted",
        shortage.available, shortage.requested
    );
    let index = cart
        .lines
        .iter()
        .position(|l| l.line.variant_id == shortage.variant_id)
        .map(|index| index.to_string());
    match index {
        Some(index) => UserError::new(&["cart", "lines", &index], ErrorCode::OutOfStock, message),
        // Allocation only sees the cart's variants; should that ever change, blame the cart
        // rather than an arbitrary line.
        None => UserError::new(&["cart", "lines"], ErrorCode::OutOfStock, message),
    }
}

fn declined(reason: &str) -> UserError {
    UserError::new(
        &["payment"],
        ErrorCode::PaymentDeclined,
        format!(
            "{reason}; the order was cancelled and the cart reopened — try another payment with a new idempotency key"
        ),
    )
}

/// The answer a repeated request gets: the order this key made for this cart, as it is now
/// (with the decline error again if its payment was declined), and a fresh access key for it
/// (the first one exists only as a hash).
async fn replay(
    writer: &Writer,
    cart_id: Uuid,
    key: &str,
    account: Option<Uuid>,
) -> ApiResult<Option<CheckoutOutcome>> {
    let db = writer.db();
    let Some(found) = order::Entity::find()
        .filter(order::Column::CartId.eq(cart_id))
        .filter(order::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // Someone else's order is not revealed; they get "no cart" as for any foreign cart.
    if found.customer_id.is_some() && found.customer_id != account {
        return Ok(Some(CheckoutOutcome::refused(vec![access::not_found()])));
    }
    let access_key = access_keys::issue_another(writer, found.id).await?;
    if found.status == OrderStatus::Cancelled {
        let was_declined = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(found.id))
            .filter(payment::Column::Status.eq(PaymentStatus::Declined))
            .one(db)
            .await?
            .is_some();
        if was_declined {
            return Ok(Some(CheckoutOutcome {
                order: Some(found),
                access_key,
                user_errors: vec![declined("the payment was declined")],
            }));
        }
    }
    Ok(Some(CheckoutOutcome::placed(found, access_key)))
}

async fn account_email(
    db: &impl ConnectionTrait,
    account: Option<Uuid>,
) -> ApiResult<Option<String>> {
    let Some(account) = account else {
        return Ok(None);
    };
    accounts::email_of(db, account).await
}

/// Why the cart cannot ship as it is. The order never costs more than the cart showed: a
/// chosen method that stopped applying is reported, never swapped for another.
fn shipping_error(cart: &CartView, missing: Missing) -> UserError {
    let country = cart
        .cart
        .shipping_address
        .as_ref()
        .map(|a| a.country_code.as_str())
        .unwrap_or_default();
    let path = ["cart", "shippingMethod"];
    let currency = cart.currency.as_str();
    match missing {
        _ if cart.shipping.offers.is_empty() => UserError::new(
            &path,
            ErrorCode::ShippingMethodUnavailable,
            format!("no shipping method ships to {country} in {currency}; change the address"),
        ),
        Missing::NotChosen => UserError::new(
            &path,
            ErrorCode::Invalid,
            "choose a shipping method first (cartShippingMethodUpdate)",
        ),
        Missing::NoLongerApplies => UserError::new(
            &path,
            ErrorCode::ShippingMethodUnavailable,
            format!(
                "the chosen shipping method no longer ships to {country} in {currency}; choose \
                 another (cartShippingMethodUpdate)"
            ),
        ),
    }
}

/// Everything that must hold before stock is touched.
fn check_ready(cart: &CartView, email: Option<&str>) -> Result<(), Vec<UserError>> {
    let mut errors = Vec::new();
    if cart.lines.is_empty() {
        errors.push(UserError::new(
            &["cartId"],
            ErrorCode::Invalid,
            "the cart is empty",
        ));
    }
    for (index, line) in cart.lines.iter().enumerate() {
        let path = ["cart", "lines", &index.to_string()].map(str::to_owned);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let sku = &line.variant.sku;
        match line.problem {
            None => {}
            Some(LineProblem::InsufficientStock) => errors.push(UserError::new(
                &path,
                ErrorCode::OutOfStock,
                format!(
                    "{sku}: only {} available, {} in the cart",
                    line.available, line.line.quantity
                ),
            )),
            Some(LineProblem::NotForSale) => errors.push(UserError::new(
                &path,
                ErrorCode::Invalid,
                format!("{sku} is no longer for sale; remove it"),
            )),
            Some(LineProblem::NoPrice) => errors.push(UserError::new(
                &path,
                ErrorCode::Invalid,
                format!("{sku} is not sold in {}; remove it", cart.currency.as_str()),
            )),
        }
    }
    if cart.priced.out_of_range {
        errors.push(UserError::new(
            &["cart"],
            ErrorCode::Invalid,
            "the cart's total is larger than an order can be; lower quantities or remove lines",
        ));
    }
    // The order must cost what the cart showed: a code that does not apply (used up
    // meanwhile, expired, minimum not met) stops the checkout instead of silently
    // charging more.
    let codes = if cart.priced.out_of_range {
        &[][..]
    } else {
        &cart.priced.codes[..]
    };
    for (index, (code, applicability)) in codes.iter().enumerate() {
        if let Applicability::NotApplicable(reason) = applicability {
            let index = index.to_string();
            errors.push(UserError::new(
                &["cart", "discountCodes", &index],
                ErrorCode::DiscountInvalid,
                format!("{code}: {reason}; remove it to check out"),
            ));
        }
    }
    if email.is_none() {
        errors.push(UserError::new(
            &["cart", "buyerIdentity", "email"],
            ErrorCode::Invalid,
            "set the buyer's email first (cartBuyerIdentityUpdate)",
        ));
    }
    if cart.cart.shipping_address.is_none() {
        errors.push(UserError::new(
            &["cart", "buyerIdentity", "shippingAddress"],
            ErrorCode::Invalid,
            "set the shipping address first (cartBuyerIdentityUpdate)",
        ));
    } else if let Some(missing) = cart.shipping.missing {
        errors.push(shipping_error(cart, missing));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What `write_order` writes.
struct NewOrder<'a> {
    id: Uuid,
    cart: &'a CartView,
    email: String,
    key: &'a str,
    allocated: &'a [Allocation],
    actor: Option<Uuid>,
}

/// What `write_order` wrote: the order and the key that opens it.
struct Written {
    order: order::Model,
    access_key: String,
}

/// The order, its snapshot lines, their allocations, the PLACED history entry (its
/// `orderUpdated` event joins the stock events on the unit of work: one outbox INSERT) and
/// its first access key.
async fn write_order(write: &mut Write, new: NewOrder<'_>) -> ApiResult<Written> {
    let txn = write.txn();
    let NewOrder {
        id,
        cart,
        email,
        key,
        allocated,
        actor,
    } = new;
    let at = now();
    let totals = cart.priced.totals;
    let used_codes: Vec<&str> = cart
        .priced
        .codes
        .iter()
        .filter(|(_, a)| *a == Applicability::Applies)
        .map(|(code, _)| code.as_str())
        .collect();
    let new_order = order::ActiveModel {
        id: Set(id),
        customer_id: Set(cart.cart.customer_id),
        cart_id: Set(Some(cart.cart.id)),
        idempotency_key: Set(Some(key.to_owned())),
        email: Set(email),
        status: Set(OrderStatus::Placed),
        payment_status: Set(OrderPaymentStatus::Pending),
        fulfillment_status: Set(OrderFulfillmentStatus::Unfulfilled),
        shipping_refunded: Set(false),
        currency_code: Set(cart.currency.as_str().to_owned()),
        subtotal: Set(totals.subtotal),
        discount_total: Set(totals.discount),
        shipping_total: Set(totals.shipping),
        tax_total: Set(totals.tax),
        total: Set(totals.total),
        discount_code: Set(used_codes.first().map(|c| (*c).to_owned())),
        shipping_address: Set(cart.cart.shipping_address.clone()),
        billing_address: Set(cart
            .cart
            .billing_address
            .clone()
            .or_else(|| cart.cart.shipping_address.clone())),
        shipping_method_id: Set(cart
            .shipping
            .chosen
            .as_ref()
            .and_then(|offer| offer.method.id.stored())),
        shipping_method_name: Set(cart
            .shipping
            .chosen
            .as_ref()
            .map(|offer| offer.method.name.clone())),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    let placed = records::insert_numbered(txn, new_order).await?;
    record_discounts(txn, placed.id, &cart.priced.applied).await?;
    let mut line_of_variant: HashMap<Uuid, Uuid> = HashMap::new();
    let lines: Vec<order_line::ActiveModel> = cart
        .lines
        .iter()
        .enumerate()
        .map(|(position, line)| {
            let id = Uuid::now_v7();
            line_of_variant.insert(line.line.variant_id, id);
            let unit = line.unit_price.unwrap_or_default();
            // Cannot overflow: the subtotal, their sum, was computed with checked arithmetic.
            let total = unit
                .checked_mul(i64::from(line.line.quantity))
                .unwrap_or_default();
            order_line::ActiveModel {
                id: Set(id),
                order_id: Set(placed.id),
                variant_id: Set(Some(line.line.variant_id)),
                product_id: Set(Some(line.product.id)),
                sku: Set(line.variant.sku.clone()),
                product_name: Set(line.product.name.clone()),
                variant_name: Set(line.variant.name.clone()),
                quantity: Set(line.line.quantity),
                unit_price: Set(unit),
                total: Set(total),
                position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                refunded_quantity: Set(0),
                shipped_quantity: Set(0),
            }
        })
        .collect();
    order_line::Entity::insert_many(lines)
        .exec_without_returning(txn)
        .await?;
    let allocation_rows: Vec<order_allocation::ActiveModel> = allocated
        .iter()
        .filter_map(|a| {
            Some(order_allocation::ActiveModel {
                order_line_id: Set(*line_of_variant.get(&a.variant_id)?),
                warehouse_id: Set(a.warehouse_id),
                quantity: Set(a.quantity),
            })
        })
        .collect();
    if !allocation_rows.is_empty() {
        order_allocation::Entity::insert_many(allocation_rows)
            .exec_without_returning(txn)
            .await?;
    }
    let message =
        (!used_codes.is_empty()).then(|| format!("discount codes: {}", used_codes.join(", ")));
    records::record(
        write,
        Happening {
            kind: OrderEventKind::Placed,
            from: None,
            message,
            actor,
            order: &placed,
        },
    )
    .await?;
    let access_key = access_keys::issue(write, placed.id).await?;
    Ok(Written {
        order: placed,
        access_key,
    })
}

/// Records the discounts the order used (one INSERT), so every way of cancelling it gives
/// each one's use back.
async fn record_discounts(
    txn: &impl ConnectionTrait,
    order_id: Uuid,
    applied: &[AppliedDiscount],
) -> ApiResult<()> {
    if applied.is_empty() {
        return Ok(());
    }
    let rows = applied.iter().map(|a| order_discount::ActiveModel {
        order_id: Set(order_id),
        code: Set(a.code.clone()),
        discount_id: Set(Some(a.id)),
        kind: Set(a.kind),
        amount: Set(a.amount),
        returned_at: Set(None),
    });
    order_discount::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}
