//! The mails shopgraph sends, each with what it is about: the `payload` of its queued job.
//! A mail names ids, not content: what it shows is read when it is sent (`content`), so a
//! retried mail shows the order as it is (the tracking staff corrected meanwhile).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One mail and what it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mail", rename_all = "snake_case")]
pub enum Mail {
    /// The order was placed (PLACED).
    OrderConfirmation { order_id: Uuid },
    /// Its payment arrived (PAID).
    PaymentReceived { order_id: Uuid },
    /// A shipment left (PARTIALLY_FULFILLED, FULFILLED): its fulfilments (one per warehouse
    /// the units left from) and their tracking; `complete` when nothing was left to ship.
    OrderShipped {
        order_id: Uuid,
        fulfillment_ids: Vec<Uuid>,
        #[serde(default)]
        complete: bool,
    },
    /// A shipment arrived (DELIVERED); `complete` when it was the last one out.
    OrderDelivered {
        order_id: Uuid,
        fulfillment_id: Option<Uuid>,
        #[serde(default)]
        complete: bool,
    },
    /// Money went back (REFUNDED, PARTIALLY_REFUNDED).
    RefundIssued {
        order_id: Uuid,
        refund_id: Option<Uuid>,
    },
    /// A return moved (RETURN_REQUESTED, _APPROVED, _DECLINED, _RECEIVED).
    ReturnUpdate {
        order_id: Uuid,
        return_id: Option<Uuid>,
        step: ReturnStep,
    },
    /// A variant someone asked about is available again (marketing).
    BackInStock {
        variant_id: Uuid,
        product_id: Uuid,
        sku: String,
    },
    /// A cart was left with lines in it (marketing).
    AbandonedCart { cart_id: Uuid },
    /// A link to choose a new password (issue 18 sends it).
    PasswordReset {
        reset_url: String,
        valid_for_minutes: u32,
    },
    /// An invitation to join the shop's staff (issue 18 sends it).
    StaffInvitation {
        accept_url: String,
        invited_by: Option<String>,
        valid_for_hours: u32,
    },
}

/// Where a return stands, for the one template that tells each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStep {
    Requested,
    Approved,
    Declined,
    Received,
}

impl Mail {
    /// Its template's name (`<name>.txt` and `<name>.html`), also the job's `template`.
    pub fn template(&self) -> &'static str {
        match self {
            Mail::OrderConfirmation { .. } => "order_confirmation",
            Mail::PaymentReceived { .. } => "payment_received",
            Mail::OrderShipped { .. } => "order_shipped",
            Mail::OrderDelivered { .. } => "order_delivered",
            Mail::RefundIssued { .. } => "refund_issued",
            Mail::ReturnUpdate { .. } => "return_update",
            Mail::BackInStock { .. } => "back_in_stock",
            Mail::AbandonedCart { .. } => "abandoned_cart",
            Mail::PasswordReset { .. } => "password_reset",
            Mail::StaffInvitation { .. } => "staff_invitation",
        }
    }

    /// Marketing mail goes only to addresses that did not unsubscribe, and carries the link
    /// to do so; the rest is transactional.
    pub fn is_marketing(&self) -> bool {
        matches!(self, Mail::BackInStock { .. } | Mail::AbandonedCart { .. })
    }

    /// Whether the payload holds a secret (a one-time link), wiped once the mail is sent.
    pub fn carries_secret(&self) -> bool {
        matches!(
            self,
            Mail::PasswordReset { .. } | Mail::StaffInvitation { .. }
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_round_trips_through_its_payload() {
        let mail = Mail::OrderShipped {
            order_id: Uuid::nil(),
            fulfillment_ids: vec![Uuid::max()],
            complete: true,
        };
        let payload = serde_json::to_value(&mail).unwrap();
        assert_eq!(payload["mail"], "order_shipped");
        assert_eq!(payload["mail"], mail.template());
        assert_eq!(serde_json::from_value::<Mail>(payload).unwrap(), mail);
    }
}
