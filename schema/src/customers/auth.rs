//! Access tokens: short-lived HS256 JWTs naming the account and, for staff, its permissions
//! (so no request needs a database read to know who is asking). Permission changes therefore
//! take effect when the holder's access token next expires (15 minutes by default). Each token
//! names its session (`sid`, the refresh-token family of the sign-in), so signing out can end
//! it before then (see `sessions`).

pub use super::permissions::Permission;
use super::viewer::Viewer;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The account id.
    sub: Uuid,
    iat: i64,
    exp: i64,
    /// Staff permissions; absent for customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    perms: Option<BTreeSet<Permission>>,
    /// The session (refresh-token family) the token was issued for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<Uuid>,
}

/// Seconds a token is still accepted after its expiry (clock differences between replicas).
pub const LEEWAY_SECS: i64 = 5;

/// What a valid access token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    pub viewer: Viewer,
    pub account: Uuid,
    /// The session it belongs to; `None` for tokens issued before tokens named their session.
    pub session_id: Option<Uuid>,
    /// When it was issued, in whole seconds.
    pub issued_at: DateTime<Utc>,
    /// It is accepted strictly before this moment: its expiry plus the leeway, counted in
    /// whole seconds as the signature check counts them.
    pub accepted_until: DateTime<Utc>,
}

/// A signed access token and when it stops being accepted.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Why an access token was refused (the client should refresh or sign in again).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAccessToken {
    #[error("the access token is invalid or expired")]
    Invalid,
    /// Its session was signed out (or ended otherwise) before the token expired.
    #[error("the session of this access token has ended; sign in again")]
    SessionEnded,
}

/// Issues and checks access tokens with the server's secret.
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl TokenIssuer {
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            access_ttl,
            refresh_ttl,
        }
    }

    /// An access token for a customer (`permissions: None`) or a staff member, in `session`.
    pub fn issue(
        &self,
        account: Uuid,
        permissions: Option<BTreeSet<Permission>>,
        session: Option<Uuid>,
    ) -> Result<AccessToken, jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let expires_at = now + self.access_ttl;
        let claims = Claims {
            sub: account,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            perms: permissions,
            sid: session,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(AccessToken { token, expires_at })
    }

    /// Checks the signature and expiry of an access token (not whether its session ended:
    /// `sessions::authenticate` does both).
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, InvalidAccessToken> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS.unsigned_abs();
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| InvalidAccessToken::Invalid)?
            .claims;
        let at = |secs: i64| DateTime::from_timestamp(secs, 0).ok_or(InvalidAccessToken::Invalid);
        let issued_at = at(claims.iat)?;
        // The check refuses once `now - leeway > exp` in whole seconds.
        let accepted_until = at(claims.exp.saturating_add(LEEWAY_SECS + 1))?;
        let viewer = match claims.perms {
            Some(permissions) => Viewer::Staff {
                id: claims.sub,
                permissions,
            },
            None => Viewer::Customer { id: claims.sub },
        };
        Ok(VerifiedToken {
            viewer,
            account: claims.sub,
            session_id: claims.sid,
            issued_at,
            accepted_until,
        })
    }

    /// The viewer an access token stands for (signature and expiry only).
    pub fn viewer(&self, token: &str) -> Result<Viewer, InvalidAccessToken> {
        self.verify(token).map(|verified| verified.viewer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(secret: &[u8], ttl_secs: i64) -> TokenIssuer {
        TokenIssuer::new(secret, Duration::seconds(ttl_secs), Duration::days(30))
    }

    #[test]
    fn tokens_round_trip_and_resist_tampering() {
        let tokens = issuer(b"0123456789abcdef0123456789abcdef", 900);
        let id = Uuid::now_v7();
        let session = Uuid::now_v7();
        let customer = tokens
            .issue(id, None, Some(session))
            .map(|t| t.token)
            .unwrap_or_default();
        let verified = tokens.verify(&customer).ok();
        assert_eq!(
            verified.as_ref().and_then(|v| v.session_id),
            Some(session),
            "tokens name their session"
        );
        assert_eq!(tokens.viewer(&customer).ok(), Some(Viewer::Customer { id }));
        let perms: BTreeSet<_> = [Permission::ManageProducts].into();
        let staff = tokens
            .issue(id, Some(perms.clone()), None)
            .map(|t| t.token)
            .unwrap_or_default();
        assert_eq!(
            tokens.viewer(&staff).ok(),
            Some(Viewer::Staff {
                id,
                permissions: perms
            })
        );

        let other = issuer(b"another secret, another server!!", 900);
        assert!(
            other.viewer(&customer).is_err(),
            "a token signed with another secret is refused"
        );
        assert!(tokens.viewer(&format!("{customer}x")).is_err());
        assert!(tokens.viewer("not a token").is_err());
        let expired = issuer(b"0123456789abcdef0123456789abcdef", -60)
            .issue(id, None, None)
            .map(|t| t.token)
            .unwrap_or_default();
        assert!(
            tokens.viewer(&expired).is_err(),
            "expired tokens are refused"
        );
    }

    #[test]
    fn permission_lists_parse() {
        assert_eq!(
            Permission::parse_list("MANAGE_PRODUCTS, MANAGE_ORDERS,bogus"),
            [Permission::ManageProducts, Permission::ManageOrders].into()
        );
    }
}
