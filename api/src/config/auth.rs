//! Sign-in settings: the key that signs access tokens, token lifetimes, the sign-in budget
//! that slows password guessing, and the administrator created at start.

use super::invalid::InvalidValue;
use clap::Args;
use std::fmt;
use std::str::FromStr;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Accounts and sign-in")]
pub struct AuthConfig {
    /// Secret that signs access tokens (at least 32 bytes). Required in production; without
    /// it a random secret is used and tokens do not survive a restart.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<JwtSecret>,

    /// Lifetime of access tokens in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900,
          value_parser = clap::value_parser!(i64).range(1..))]
    pub access_token_ttl_secs: i64,

    /// Lifetime of refresh tokens (sessions) in days.
    #[arg(long, env = "REFRESH_TOKEN_TTL_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(i64).range(1..))]
    pub refresh_token_ttl_days: i64,

    /// Password checks (`tokenCreate` fields, aliases included) one client may make per
    /// sign-in window, over HTTP and websockets together (0: no limit beyond
    /// RATE_LIMIT_REQUESTS). Clients are counted as for RATE_LIMIT_REQUESTS.
    #[arg(long, env = "SIGN_IN_ATTEMPTS", default_value_t = 10)]
    pub sign_in_attempts: u32,

    /// Length of the sign-in window in seconds.
    #[arg(long, env = "SIGN_IN_WINDOW_SECS", default_value_t = 60)]
    pub sign_in_window_secs: u64,

    /// Password-reset requests (`customerPasswordResetRequest`) one client may make per
    /// hour (0: no limit beyond RATE_LIMIT_REQUESTS); more are refused with RATE_LIMITED.
    #[arg(long, env = "PASSWORD_RESETS_PER_CLIENT", default_value_t = 5)]
    pub password_resets_per_client: u32,

    /// Password-reset mails one email address may be sent per hour, whoever asks (0: no
    /// limit); further requests get the usual answer and send nothing.
    #[arg(long, env = "PASSWORD_RESETS_PER_EMAIL", default_value_t = 3)]
    pub password_resets_per_email: u32,

    /// Email of the first staff administrator, created (or updated) at start together with
    /// ADMIN_PASSWORD.
    #[arg(long, env = "ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Password of that administrator.
    #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

/// Minimum length of `JWT_SECRET`: HS256 wants at least as many key bytes as its output.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// A token-signing secret of at least [`MIN_JWT_SECRET_BYTES`] bytes. Its `Debug` hides it,
/// so printing a configuration never leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtSecret(String);

impl JwtSecret {
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl FromStr for JwtSecret {
    type Err = InvalidValue;

    fn from_str(secret: &str) -> Result<Self, Self::Err> {
        if secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(InvalidValue::new(format!(
                "must be at least {MIN_JWT_SECRET_BYTES} bytes long"
            )));
        }
        Ok(Self(secret.to_owned()))
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(…)")
    }
}
