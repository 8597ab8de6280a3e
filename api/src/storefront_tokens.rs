//! Storefront access tokens presented to the Shopify-shaped endpoint
//! (`X-Shopify-Storefront-Access-Token`), checked against the ones staff created and
//! remembered briefly, so a storefront's every request does not cost a database read.

use axum::http::HeaderMap;
use schema::storefront_access::service::live_token;
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The header storefront libraries send their token in.
pub const TOKEN_HEADER: &str = "x-shopify-storefront-access-token";

/// How long a token's check is trusted: a revoked token stops working within this time.
const TOKEN_CHECK_TTL: Duration = Duration::from_secs(10);
/// Most token checks remembered (beyond it the memory is cleared: a flood of forged tokens
/// costs database reads, bounded by the request budget, never memory).
const MAX_REMEMBERED_TOKENS: usize = 1024;

/// What the check says of a request.
pub enum Admission {
    Admitted,
    /// No token where one is required, or one that is unknown or revoked.
    Refused,
    /// The database could not say.
    Unknown,
}

/// Checks presented tokens, remembering each answer for `TOKEN_CHECK_TTL`.
pub struct StorefrontTokens {
    /// Without a token: answered (false) or refused with 401 (true).
    required: bool,
    checked: Mutex<HashMap<[u8; 32], (bool, Instant)>>,
}

impl StorefrontTokens {
    pub fn new(required: bool) -> Self {
        Self {
            required,
            checked: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the request may use the endpoint: a presented token must be live (whatever
    /// the setting); none is fine unless tokens are required.
    pub async fn admits(&self, db: &DatabaseConnection, headers: &HeaderMap) -> Admission {
        let admitted = |yes: bool| match yes {
            true => Admission::Admitted,
            false => Admission::Refused,
        };
        let Some(presented) = headers.get(TOKEN_HEADER) else {
            return admitted(!self.required);
        };
        let Ok(presented) = presented.to_str() else {
            return Admission::Refused;
        };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        if let Some(live) = self.remembered(&digest) {
            return admitted(live);
        }
        let live = match live_token(db, presented).await {
            Ok(found) => found.is_some(),
            Err(error) => {
                tracing::error!(%error, "checking a storefront token");
                return Admission::Unknown;
            }
        };
        self.remember(digest, live);
        admitted(live)
    }

    fn remembered(&self, digest: &[u8; 32]) -> Option<bool> {
        let checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        checked
            .get(digest)
            .filter(|(_, at)| at.elapsed() < TOKEN_CHECK_TTL)
            .map(|(live, _)| *live)
    }

    fn remember(&self, digest: [u8; 32], live: bool) {
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked.len() >= MAX_REMEMBERED_TOKENS {
            checked.clear();
        }
        checked.insert(digest, (live, Instant::now()));
    }
}
