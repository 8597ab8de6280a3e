//! Expected business failures of mutations: returned as data in `userErrors`, never as
//! GraphQL errors, so clients can show them next to the offending field.

use async_graphql::{Enum, SimpleObject};

/// Why a mutation did not do what was asked.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The input breaks a rule (format, length, range).
    Invalid,
    NotFound,
    /// A unique value (email, slug, SKU) is already used.
    Taken,
    OutOfStock,
    DiscountInvalid,
    CartConverted,
    PaymentDeclined,
    IllegalTransition,
    /// Email and password do not match an account (deliberately not saying which is wrong).
    InvalidCredentials,
    /// A refresh token is unknown, expired, revoked or already used.
    InvalidToken,
    /// Too many attempts of this kind on this object for now (discount codes on a cart); the
    /// message says when to try again.
    TooManyAttempts,
    /// The payment provider refused or failed a capture, void or refund: nothing moved.
    PaymentFailed,
    /// Another capture or void of this payment is under way; try again shortly.
    PaymentBusy,
    /// More than is left to refund (captured minus refunded and refunds under way).
    RefundTooLarge,
    /// The shipping method does not serve the cart (its address's country, its currency), is
    /// switched off or is gone: choose one of `availableShippingMethods`.
    ShippingMethodUnavailable,
    /// More units than were shipped and are not back or on their way back already.
    ReturnTooLarge,
    /// The order was delivered longer ago than the return window (`RETURN_WINDOW_DAYS`).
    ReturnWindowClosed,
    /// The change would leave no active staff member holding MANAGE_STAFF.
    LastStaffManager,
    /// A per-account cap is reached (50 saved addresses): remove one first.
    LimitReached,
    /// Not possible for this kind of account (a staff member's account cannot be deleted by
    /// its holder: staff are deactivated).
    NotAllowed,
}

/// One failure, with the path of the input field it concerns (e.g. `["input", "email"]`).
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: ErrorCode,
}

impl UserError {
    pub fn new(field: &[&str], code: ErrorCode, message: impl Into<String>) -> Self {
        let field = (!field.is_empty()).then(|| field.iter().map(|f| (*f).to_owned()).collect());
        Self {
            field,
            message: message.into(),
            code,
        }
    }
}
