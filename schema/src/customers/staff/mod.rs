//! Staff (issue 18): roles, members and invitations, inside the customers context (a staff
//! member is a customer account with a `staff_members` row).
//!
//! - `crate::customers::access` (beside, not inside: account services read it too): what a
//!   member may do now (their roles' permissions, while ACTIVE).
//! - `rules`: nobody grants what they lack; someone can always manage staff.
//! - `roles`, `members`, `invitations`: the services; `admin`: the configured administrator.
//! - `views`, `customer_views`: reads; `types`, `query`, `mutation`: the GraphQL side.

pub mod admin;
pub mod customer_views;
pub mod invitations;
pub mod members;
pub mod mutation;
pub mod query;
pub mod roles;
pub mod rules;
pub mod types;
pub mod views;
