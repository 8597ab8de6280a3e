//! The event that ends sessions on every replica (`session.revoked`): written to the outbox by
//! the transaction that revokes refresh tokens, so access tokens and websockets of those
//! sessions stop working everywhere, not only on the replica that signed out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRevoked {
    /// The outbox row's id.
    pub event_id: Uuid,
    pub account_id: Uuid,
    pub ended: EndedSessions,
    pub reason: EndReason,
    pub occurred_at: DateTime<Utc>,
}

/// Which of the account's access tokens stop working.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndedSessions {
    /// The tokens of these sessions (refresh-token families; the `sid` of access tokens).
    Sessions(Vec<Uuid>),
    /// Every token of the account issued at or before this time (whole seconds, as tokens
    /// record it): for a password change or a deactivation, which end all sessions including
    /// tokens that name none.
    IssuedUntil(DateTime<Utc>),
}

/// Why sessions ended (for logs and operators; every reason ends them the same way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndReason {
    /// `tokenRevoke`: one session or all of them.
    SignOut,
    /// A rotated refresh token came back, so its session may be in a thief's hands.
    RefreshTokenReused,
    /// `customerPasswordChange`: every session but the one that changed it.
    PasswordChanged,
    /// `customerPasswordReset`: every session.
    PasswordReset,
    /// `staffDeactivate`, or a change of the staff member's roles (their tokens carry the
    /// old permissions, so they sign in again to get the new ones).
    StaffAccessChanged,
    /// `customerDelete`.
    AccountDeleted,
}

/// A customer account was created (`customerRegister`): outgoing webhooks deliver it as
/// CUSTOMER_CREATED.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCreated {
    pub event_id: Uuid,
    pub customer_id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub occurred_at: DateTime<Utc>,
}
