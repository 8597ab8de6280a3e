//! Account rules: registration, sign-in, refresh-token rotation and revocation, the profile,
//! the address book, passwords, and the data rights (export, deletion). The only writers of
//! `customers`, `customer_addresses`, `password_reset_tokens` and `refresh_tokens`.

pub mod accounts;
pub mod addresses;
pub mod password_change;
pub mod password_reset;
pub mod privacy;
pub mod profile;
pub mod refresh_tokens;
