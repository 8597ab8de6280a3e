//! Account rules: registration, sign-in, refresh-token rotation and revocation. The only
//! writers of `customers` and `refresh_tokens`.

pub mod accounts;
pub mod refresh_tokens;
