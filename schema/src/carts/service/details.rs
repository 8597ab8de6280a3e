//! Creating a cart, and the parts of it that are not lines: discount codes and the buyer.

use super::lines::{self, NewLine, Outcome};
use super::view::{self, CartView};
use super::{CartRules, access};
use crate::common::budget::{self, Allowance, Budgets, ClientId};
use crate::common::clock::now;
use crate::common::email;
use crate::common::money::CurrencyCode;
use crate::common::text;
use crate::common::user_error::{ErrorCode, UserError};
use crate::customers::service::accounts::{self, email_error};
use crate::customers::service::addresses;
use crate::error::ApiResult;
use crate::pricing::discount_problem;
use crate::shipping::service::rates::{self, MethodId};
use crate::unit_of_work::Writer;
use entities::cart;
use entities::enums::CartStatus;
use entities::json::{MailingAddress, StringList};
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel, Set};
use uuid::Uuid;

/// Most discount codes one cart may carry.
pub const MAX_DISCOUNT_CODES: usize = 5;

/// Who is buying: an email for the receipt, where to ship, where to bill.
#[derive(Clone, Debug, Default)]
pub struct BuyerIdentity {
    pub email: Option<String>,
    pub shipping_address: Option<MailingAddress>,
    pub billing_address: Option<MailingAddress>,
}

/// The buyer a signed-in customer's new cart starts with (see [`create`]).
async fn prefill(
    db: &DatabaseConnection,
    account: Uuid,
    given: Option<BuyerIdentity>,
) -> ApiResult<Option<BuyerIdentity>> {
    if given.as_ref().is_some_and(|b| b.shipping_address.is_some()) {
        return Ok(given);
    }
    let Some(address) = addresses::default_address(db, account).await? else {
        return Ok(given);
    };
    let mut buyer = given.unwrap_or_default();
    buyer.shipping_address = Some(address);
    if buyer.email.is_none() {
        buyer.email = accounts::email_of(db, account).await?;
    }
    Ok(Some(buyer))
}

/// A new cart in `currency`, owned by `account` when signed in, with optional first lines
/// and buyer. All of it or nothing. A signed-in customer's cart without a shipping address
/// starts with their default address, and then with their account email when none was given
/// (the address book is the customers context's: read through its functions).
pub async fn create(
    writer: &Writer,
    rules: &CartRules,
    account: Option<Uuid>,
    currency: CurrencyCode,
    first_lines: &[NewLine],
    buyer: Option<BuyerIdentity>,
) -> ApiResult<Outcome> {
    let buyer = match account {
        Some(account) => prefill(writer.db(), account, buyer).await?,
        None => buyer,
    };
    let buyer = match buyer.map(clean_buyer).transpose() {
        Ok(buyer) => buyer.unwrap_or_default(),
        Err(errors) => return Ok(Err(errors)),
    };
    let write = writer.begin().await?;
    let at = now();
    let cart = cart::ActiveModel {
        // Random (v4), not time-ordered: for a guest the id is the credential.
        id: Set(Uuid::new_v4()),
        customer_id: Set(account),
        currency_code: Set(currency.as_str().to_owned()),
        email: Set(buyer.email),
        shipping_address: Set(buyer.shipping_address),
        billing_address: Set(buyer.billing_address),
        discount_codes: Set(StringList::default()),
        shipping_method_id: Set(None),
        status: Set(CartStatus::Active),
        converted_order_id: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        abandoned_at: Set(None),
    }
    .insert(write.txn())
    .await?;
    let outcome = lines::add_to_new(write.txn(), rules, cart, first_lines, "input.lines").await?;
    lines::finish(write, outcome).await
}

/// Who is trying discount codes: for the attempt budgets, and for how much a refusal says.
pub struct CodeTrier<'a> {
    pub account: Option<Uuid>,
    /// The client the attempts count against (`None`: not counted, outside the server).
    pub client: Option<&'a ClientId>,
    /// Staff who manage discounts can read every code anyway: they are told why a code is
    /// refused, and their attempts are not counted.
    pub manages_discounts: bool,
}

/// What everyone but discount managers is told about any code that cannot be used, whatever
/// the reason (unknown, inactive, expired, not yet valid, used up, other currency): a
/// different answer per reason would tell a guesser which codes exist.
pub const CODE_NOT_USABLE: &str = "this discount code cannot be used";

/// Replaces the cart's discount codes. Codes that do not exist or can never apply (inactive,
/// expired, used up) are refused; codes that may apply later (a minimum subtotal not met
/// yet) are kept and shown as not applicable. Each code new to the cart is an attempt,
/// counted against the cart's and the client's budgets before any code is looked up.
pub async fn set_discount_codes(
    writer: &Writer,
    rules: &CartRules,
    budgets: &dyn Budgets,
    cart_id: Uuid,
    who: &CodeTrier<'_>,
    codes: &[String],
) -> ApiResult<Outcome> {
    let mut wanted: Vec<String> = Vec::new();
    for code in codes {
        let code = code.trim().to_uppercase();
        if !code.is_empty() && !wanted.contains(&code) {
            wanted.push(code);
        }
    }
    if wanted.len() > MAX_DISCOUNT_CODES {
        return Ok(Err(vec![UserError::new(
            &["discountCodes"],
            ErrorCode::Invalid,
            format!("a cart takes at most {MAX_DISCOUNT_CODES} discount codes"),
        )]));
    }
    let (write, cart) = match access::begin_change(writer, cart_id, who.account).await? {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let attempts = wanted
        .iter()
        .filter(|code| !cart.discount_codes.0.contains(code))
        .count();
    if attempts > 0 && !who.manages_discounts {
        let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        if let Some(refusal) = spend_attempts(budgets, cart_id, who.client, attempts).await? {
            return Ok(Err(vec![refusal]));
        }
    }
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let discounts = view::discounts_named(write.txn(), &wanted).await?;
    let mut errors = Vec::new();
    for (index, code) in wanted.iter().enumerate() {
        let path = ["discountCodes".to_owned(), index.to_string()];
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let found = discounts.iter().find(|d| d.code.eq_ignore_ascii_case(code));
        // Judged on an empty subtotal's terms: only the lasting reasons refuse a code here.
        let problem = match found {
            None => Some(format!("{code} is not a valid discount code")),
            Some(discount) => discount_problem(discount, currency, i64::MAX, now())
                .map(|problem| format!("{code}: {problem}")),
        };
        if let Some(problem) = problem {
            let message = if who.manages_discounts {
                problem
            } else {
                CODE_NOT_USABLE.to_owned()
            };
            errors.push(UserError::new(&path, ErrorCode::DiscountInvalid, message));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut active = cart.into_active_model();
    active.discount_codes = Set(StringList(wanted));
    let cart = active.update(write.txn()).await?;
    let (lines, facts) = view::lines_and_facts(write.txn(), cart.id, currency, &[]).await?;
    let rates = rules.shipping_rates.get(write.txn()).await?;
    let outcome = view::assemble(
        cart,
        currency,
        lines,
        &facts,
        discounts,
        &rates,
        &rules.pricing,
    );
    lines::finish(write, Ok(outcome)).await
}

/// Counts `attempts` codes against the cart's budget (a user error once spent: the cart is
/// the shopper's own business) and the client's (`RATE_LIMITED`, as its other limits).
async fn spend_attempts(
    budgets: &dyn Budgets,
    cart_id: Uuid,
    client: Option<&ClientId>,
    attempts: u32,
) -> ApiResult<Option<UserError>> {
    let cart_key = format!("cart:{cart_id}");
    if let Some(verdict) = budgets
        .spend(Allowance::CodesPerCart, &cart_key, attempts)
        .await
        && !verdict.allowed
    {
        let minutes = verdict.retry_after_secs().div_ceil(60);
        return Ok(Some(UserError::new(
            &["discountCodes"],
            ErrorCode::TooManyAttempts,
            format!("too many discount codes were tried on this cart; try again in {minutes} min"),
        )));
    }
    budget::require(budgets, Allowance::CodesPerClient, client, attempts).await?;
    Ok(None)
}

/// Sets the buyer's email and/or shipping address (fields left out stay as they are).
pub async fn set_buyer(
    writer: &Writer,
    rules: &CartRules,
    cart_id: Uuid,
    account: Option<Uuid>,
    buyer: BuyerIdentity,
) -> ApiResult<Outcome> {
    let buyer = match clean_buyer(buyer) {
        Ok(buyer) => buyer,
        Err(errors) => return Ok(Err(errors)),
    };
    let (write, cart) = match access::begin_change(writer, cart_id, account).await? {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut active = cart.into_active_model();
    if let Some(email) = buyer.email {
        active.email = Set(Some(email));
    }
    if let Some(address) = buyer.shipping_address {
        active.shipping_address = Set(Some(address));
    }
    if let Some(address) = buyer.billing_address {
        active.billing_address = Set(Some(address));
    }
    let cart = active.update(write.txn()).await?;
    let outcome: CartView = view::view(write.txn(), cart, rules).await?;
    lines::finish(write, Ok(outcome)).await
}

/// Chooses how the cart ships: one of the methods serving its address's country in its
/// currency (`availableShippingMethods`). Anything else is refused with nothing changed.
pub async fn set_shipping_method(
    writer: &Writer,
    rules: &CartRules,
    cart_id: Uuid,
    account: Option<Uuid>,
    method: &str,
) -> ApiResult<Outcome> {
    let unavailable = |message: String| {
        Ok(Err(vec![UserError::new(
            &["shippingMethodId"],
            ErrorCode::ShippingMethodUnavailable,
            message,
        )]))
    };
    let Some(method) = MethodId::parse(method) else {
        return unavailable("no shipping method with this id".into());
    };
    let (write, cart) = match access::begin_change(writer, cart_id, account).await? {
        Ok(held) => held,
        Err(errors) => return Ok(Err(errors)),
    };
    let currency = CurrencyCode::stored(&cart.currency_code)?;
    let rates = rates::load(write.txn()).await?;
    let country = cart
        .shipping_address
        .as_ref()
        .map(|a| a.country_code.clone());
    let offers = rates.offers(country.as_deref(), currency, &rules.pricing);
    if !offers.iter().any(|offer| offer.method.id == method) {
        return unavailable(match country {
            None if rates.configured() => {
                "set the shipping address first: methods depend on its country".into()
            }
            None => "this method is not available to this cart".into(),
            Some(country) => format!(
                "this method does not ship to {country} in {}; choose one of availableShippingMethods",
                currency.as_str()
            ),
        });
    }
    let mut active = cart.into_active_model();
    active.shipping_method_id = Set(method.stored());
    active.updated_at = Set(now());
    let cart = active.update(write.txn()).await?;
    let outcome = view::view_with_rates(write.txn(), cart, &rates, &rules.pricing).await?;
    lines::finish(write, Ok(outcome)).await
}

const ADDRESS_LINE_LEN: usize = 200;

/// Normalises the email and checks every address field; all problems at once.
fn clean_buyer(buyer: BuyerIdentity) -> Result<BuyerIdentity, Vec<UserError>> {
    let mut errors = Vec::new();
    let email = buyer.email.and_then(|raw| {
        email::normalise(&raw)
            .map_err(|problem| errors.push(email_error(&["buyerIdentity", "email"], problem)))
            .ok()
    });
    let shipping_address = buyer
        .shipping_address
        .map(|address| clean_address(address, &["buyerIdentity", "shippingAddress"], &mut errors));
    let billing_address = buyer
        .billing_address
        .map(|address| clean_address(address, &["buyerIdentity", "billingAddress"], &mut errors));
    if errors.is_empty() {
        Ok(BuyerIdentity {
            email,
            shipping_address,
            billing_address,
        })
    } else {
        Err(errors)
    }
}

/// Checks every field of an address given at `path` (`buyerIdentity.shippingAddress`; the
/// address book uses the same rules), adding what is wrong to `errors`; returns it trimmed,
/// the country code upper-case.
pub fn clean_address(
    address: MailingAddress,
    path: &[&str],
    errors: &mut Vec<UserError>,
) -> MailingAddress {
    let mut invalid = |field: &'static str, message: String| {
        let mut at = path.to_vec();
        at.push(field);
        errors.push(UserError::new(&at, ErrorCode::Invalid, message));
    };
    let mut required = |value: String, field: &'static str, max: usize| {
        text::required_line(&value, max).unwrap_or_else(|problem| {
            invalid(field, problem.to_string());
            value
        })
    };
    let address1 = required(address.address1, "address1", ADDRESS_LINE_LEN);
    let city = required(address.city, "city", ADDRESS_LINE_LEN);
    let zip = required(address.zip, "zip", 20);
    let country_code = text::required_line(&address.country_code, 2)
        .map_err(|problem| problem.to_string())
        .and_then(|code| {
            let code = code.to_uppercase();
            if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
                Ok(code)
            } else {
                Err("use a two-letter ISO 3166 country code, e.g. US".to_owned())
            }
        })
        .unwrap_or_else(|problem| {
            invalid("countryCode", problem);
            address.country_code.clone()
        });
    let mut optional = |value: Option<String>, field: &'static str| {
        text::optional_line(value.as_deref(), ADDRESS_LINE_LEN).unwrap_or_else(|problem| {
            invalid(field, problem.to_string());
            None
        })
    };
    MailingAddress {
        first_name: optional(address.first_name, "firstName"),
        last_name: optional(address.last_name, "lastName"),
        address2: optional(address.address2, "address2"),
        province: optional(address.province, "province"),
        phone: optional(address.phone, "phone"),
        address1,
        city,
        zip,
        country_code,
    }
}
