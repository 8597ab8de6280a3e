//! What staff may do: the permissions a staff role grants, carried in access tokens and
//! checked by `Viewer::require_any`. A staff member holds the union of their roles'
//! permissions while ACTIVE (`staff::access`).

use async_graphql::Enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::str::FromStr;

/// What a staff role may do.
#[derive(
    Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    ManageProducts,
    ManageInventory,
    ManageOrders,
    ManageDiscounts,
    /// Customer accounts and their orders, read by staff (`customers`, `customer`).
    ManageCustomers,
    /// Staff roles and members: invitations, role changes, deactivation.
    ManageStaff,
    /// Shipping zones and methods (and, later, the shop's other settings).
    ManageSettings,
    /// Outgoing webhooks: their URLs, topics and secrets, and their deliveries.
    ManageWebhooks,
}

impl Permission {
    pub const ALL: [Permission; 8] = [
        Self::ManageProducts,
        Self::ManageInventory,
        Self::ManageOrders,
        Self::ManageDiscounts,
        Self::ManageCustomers,
        Self::ManageStaff,
        Self::ManageSettings,
        Self::ManageWebhooks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ManageProducts => "MANAGE_PRODUCTS",
            Self::ManageInventory => "MANAGE_INVENTORY",
            Self::ManageOrders => "MANAGE_ORDERS",
            Self::ManageDiscounts => "MANAGE_DISCOUNTS",
            Self::ManageCustomers => "MANAGE_CUSTOMERS",
            Self::ManageStaff => "MANAGE_STAFF",
            Self::ManageSettings => "MANAGE_SETTINGS",
            Self::ManageWebhooks => "MANAGE_WEBHOOKS",
        }
    }

    /// Parses the comma-separated list stored on a staff role; unknown names are skipped.
    pub fn parse_list(list: &str) -> BTreeSet<Permission> {
        list.split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect()
    }
}

impl FromStr for Permission {
    type Err = ();

    fn from_str(name: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|p| p.as_str() == name).ok_or(())
    }
}

/// The stored form of a set of permissions (comma-separated names, in enum order).
pub fn join(permissions: &BTreeSet<Permission>) -> String {
    let names: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
    names.join(",")
}
