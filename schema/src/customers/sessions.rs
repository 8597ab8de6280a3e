//! When a session ends before its access tokens expire.
//!
//! Access tokens are checked without a database read, so ending a session (signing out; later
//! a password change or a deactivation) has to reach every replica's memory:
//!
//! 1. The unit of work that revokes refresh tokens records a `session.revoked` event
//!    (`events::SessionRevoked`), written to the outbox at its commit, and the revoking replica
//!    applies it to its own [`SessionRevocations`] at once, so its next request already sees it.
//! 2. The relay publishes the event through the hub (Redis when configured), and every
//!    replica's [`SessionRevocations::follow`] applies it.
//! 3. HTTP requests ([`authenticate`]) are refused with 401 from then on; websockets refuse
//!    new operations and end the subscriptions that need the account
//!    ([`SessionRevocations::end_of`], [`until_session_ends`]).
//!
//! An entry is kept for the access-token lifetime (plus leeway): by then every token of the
//! ended session has expired anyway. A replica that may have missed events (it just started,
//! or the Redis link dropped and came back) re-reads the refresh tokens revoked within that
//! lifetime.
//!
//! To end sessions for another reason, record a `SessionRevoked` with that reason on the unit
//! of work that causes it (`write.record`), and call [`SessionRevocations::apply`] after the
//! commit: `EndedSessions::IssuedUntil` ends every token of the account (password change,
//! deactivation).

use super::auth::{InvalidAccessToken, TokenIssuer, VerifiedToken};
use super::events::{EndedSessions, SessionRevoked};
use crate::error::{ApiError, ApiResult};
use crate::events::{BusMessage, DomainEvent};
use chrono::{DateTime, Utc};
use entities::refresh_token;
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;
use uuid::Uuid;

/// The session an HTTP request or a websocket connection authenticated with.
pub type TokenSession = VerifiedToken;

/// The viewer of `token`: valid signature, not expired, and its session not ended.
pub fn authenticate(
    tokens: &TokenIssuer,
    revocations: &SessionRevocations,
    token: &str,
) -> Result<TokenSession, InvalidAccessToken> {
    let verified = tokens.verify(token)?;
    if revocations.is_revoked(&verified) {
        return Err(InvalidAccessToken::SessionEnded);
    }
    Ok(verified)
}

/// Sessions ended early, as far as this replica knows; one per process.
pub struct SessionRevocations {
    entries: Mutex<Entries>,
    /// Bumped on every change, so waiters re-check their session.
    changed: watch::Sender<u64>,
    /// How long an entry matters: the access-token lifetime plus leeway.
    keep_for: chrono::Duration,
}

#[derive(Default)]
struct Entries {
    /// Ended sessions (refresh-token families) → when the entry can be forgotten.
    sessions: HashMap<Uuid, DateTime<Utc>>,
    /// Accounts whose tokens issued until a time are ended → (that time, forget after).
    accounts: HashMap<Uuid, (DateTime<Utc>, DateTime<Utc>)>,
}

impl Entries {
    fn forget_stale(&mut self, now: DateTime<Utc>) {
        self.sessions.retain(|_, forget_after| *forget_after > now);
        self.accounts
            .retain(|_, (_, forget_after)| *forget_after > now);
    }
}

impl SessionRevocations {
    /// `access_ttl`: the access-token lifetime, after which entries are forgotten.
    pub fn new(access_ttl: chrono::Duration) -> Self {
        Self {
            entries: Mutex::default(),
            changed: watch::channel(0).0,
            keep_for: access_ttl + chrono::Duration::seconds(super::auth::LEEWAY_SECS + 2),
        }
    }

    /// Records that sessions ended (idempotent: an event may arrive more than once).
    pub fn apply(&self, event: &SessionRevoked) {
        let now = Utc::now();
        let forget_after = now + self.keep_for;
        {
            let Ok(mut entries) = self.entries.lock() else {
                return;
            };
            entries.forget_stale(now);
            match &event.ended {
                EndedSessions::Sessions(sessions) => {
                    for session in sessions {
                        entries.sessions.insert(*session, forget_after);
                    }
                }
                EndedSessions::IssuedUntil(until) => {
                    let entry = entries
                        .accounts
                        .entry(event.account_id)
                        .or_insert((*until, forget_after));
                    *entry = (entry.0.max(*until), forget_after);
                }
            }
        }
        tracing::info!(account = %event.account_id, reason = ?event.reason, "sessions ended");
        self.changed.send_modify(|generation| *generation += 1);
    }

    /// Whether the session of `token` has ended.
    pub fn is_revoked(&self, token: &TokenSession) -> bool {
        let Ok(entries) = self.entries.lock() else {
            return false;
        };
        let now = Utc::now();
        let session_ended = token
            .session_id
            .and_then(|session| entries.sessions.get(&session))
            .is_some_and(|forget_after| *forget_after > now);
        let account_ended = entries
            .accounts
            .get(&token.account)
            .is_some_and(|(until, forget_after)| token.issued_at <= *until && *forget_after > now);
        session_ended || account_ended
    }

    /// Whether `token` is still usable: not expired and its session not ended.
    pub fn is_live(&self, token: &TokenSession) -> bool {
        Utc::now() < token.accepted_until && !self.is_revoked(token)
    }

    /// Resolves when `token` stops being usable: it expires, or its session ends.
    pub fn end_of(self: &Arc<Self>, token: TokenSession) -> SessionEnd {
        let this = self.clone();
        SessionEnd(
            async move {
                let mut changes = this.changed.subscribe();
                let left = (token.accepted_until - Utc::now())
                    .to_std()
                    .unwrap_or_default();
                let expiry = tokio::time::sleep(left);
                tokio::pin!(expiry);
                loop {
                    if this.is_revoked(&token) {
                        return;
                    }
                    tokio::select! {
                        () = &mut expiry => return,
                        changed = changes.changed() => {
                            if changed.is_err() {
                                // The registry is gone (shutdown): only expiry is left.
                                (&mut expiry).await;
                                return;
                            }
                        }
                    }
                }
            }
            .boxed(),
        )
    }

    /// Applies revocations from the hub (`events`, subscribed before the caller's first
    /// [`reload`](Self::reload), so nothing in between is missed) until `stop`; after a
    /// possible gap (lag, Redis reconnect) re-reads the recently ended sessions.
    pub async fn follow(
        self: Arc<Self>,
        mut events: broadcast::Receiver<BusMessage>,
        db: DatabaseConnection,
        stop: impl Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            let message = tokio::select! {
                () = &mut stop => return,
                message = events.recv() => message,
            };
            match message {
                Ok(BusMessage::Event(DomainEvent::SessionRevoked(event))) => self.apply(&event),
                Ok(BusMessage::Event(_)) => {}
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => self.reload(&db).await,
                Err(RecvError::Closed) => return,
            }
        }
    }

    /// [`load_recent`](Self::load_recent), logging a failure: a replica that cannot read
    /// them still refuses what the hub tells it.
    pub async fn reload(&self, db: &DatabaseConnection) {
        if let Err(err) = self.load_recent(db).await {
            tracing::warn!(error = %err, "reading recently ended sessions failed");
        }
    }

    /// Applies every session whose refresh tokens were revoked within the access-token
    /// lifetime (the ones whose access tokens may still be presented).
    pub async fn load_recent(&self, db: &DatabaseConnection) -> ApiResult<()> {
        let since = Utc::now() - self.keep_for;
        let revoked: Vec<(Uuid, Uuid)> = refresh_token::Entity::find()
            .select_only()
            .column(refresh_token::Column::CustomerId)
            .column(refresh_token::Column::FamilyId)
            .filter(refresh_token::Column::RevokedAt.gte(since))
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        let mut by_account: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (account, family) in revoked {
            by_account.entry(account).or_default().push(family);
        }
        for (account_id, sessions) in by_account {
            self.apply(&SessionRevoked {
                event_id: Uuid::now_v7(),
                account_id,
                ended: EndedSessions::Sessions(sessions),
                reason: super::events::EndReason::SignOut,
                occurred_at: Utc::now(),
            });
        }
        Ok(())
    }
}

/// A future that resolves when a session ends (see [`SessionRevocations::end_of`]).
pub struct SessionEnd(BoxFuture<'static, ()>);

/// `stream` until `end` resolves, then one `UNAUTHENTICATED` error and the end: what a
/// subscription that needs the account does when its connection's session ends. Without a
/// session (an anonymous viewer) the stream is unchanged.
pub fn until_session_ends<S>(
    stream: S,
    end: Option<SessionEnd>,
) -> impl Stream<Item = async_graphql::Result<S::Item>> + use<S>
where
    S: Stream + Send + 'static,
    S::Item: Send,
{
    let stream: BoxStream<'static, S::Item> = stream.boxed();
    let end = end.map(|SessionEnd(end)| end);
    stream::unfold(Some((stream, end)), |state| async move {
        let (mut stream, end) = state?;
        let Some(mut end) = end else {
            let item = stream.next().await?;
            return Some((Ok(item), Some((stream, None))));
        };
        tokio::select! {
            item = stream.next() => {
                let item = item?;
                Some((Ok(item), Some((stream, Some(end)))))
            }
            () = &mut end => Some((Err(ApiError::SessionEnded.into()), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::events::EndReason;
    use crate::customers::viewer::Viewer;
    use std::time::Duration;

    fn token(account: Uuid, session: Option<Uuid>, issued_at: DateTime<Utc>) -> TokenSession {
        TokenSession {
            viewer: Viewer::Customer { id: account },
            account,
            session_id: session,
            issued_at,
            accepted_until: Utc::now() + chrono::Duration::minutes(15),
        }
    }

    fn ended(account: Uuid, ended: EndedSessions) -> SessionRevoked {
        SessionRevoked {
            event_id: Uuid::now_v7(),
            account_id: account,
            ended,
            reason: EndReason::SignOut,
            occurred_at: Utc::now(),
        }
    }

    #[test]
    fn ended_sessions_refuse_their_tokens_only() {
        let registry = SessionRevocations::new(chrono::Duration::minutes(15));
        let account = Uuid::now_v7();
        let (phone, laptop) = (Uuid::now_v7(), Uuid::now_v7());
        let now = Utc::now();
        registry.apply(&ended(account, EndedSessions::Sessions(vec![phone])));
        assert!(registry.is_revoked(&token(account, Some(phone), now)));
        assert!(!registry.is_revoked(&token(account, Some(laptop), now)));
        assert!(!registry.is_revoked(&token(account, None, now)));

        // Password change / deactivation: everything issued until then, whatever its session.
        let until = now - chrono::Duration::seconds(10);
        registry.apply(&ended(account, EndedSessions::IssuedUntil(until)));
        assert!(registry.is_revoked(&token(account, None, until)));
        assert!(registry.is_revoked(&token(account, Some(laptop), until)));
        assert!(!registry.is_revoked(&token(account, Some(laptop), now)));
        assert!(!registry.is_revoked(&token(Uuid::now_v7(), None, until)));
    }

    #[tokio::test]
    async fn session_end_resolves_on_sign_out_or_expiry() {
        let registry = Arc::new(SessionRevocations::new(chrono::Duration::minutes(15)));
        let account = Uuid::now_v7();
        let session = Uuid::now_v7();
        let live = token(account, Some(session), Utc::now());
        let SessionEnd(end) = registry.end_of(live.clone());
        let signed_out = tokio::spawn(end);
        tokio::task::yield_now().await;
        assert!(!signed_out.is_finished());
        registry.apply(&ended(account, EndedSessions::Sessions(vec![session])));
        let waited = tokio::time::timeout(Duration::from_secs(10), signed_out).await;
        assert!(matches!(waited, Ok(Ok(()))), "the end follows the sign-out");
        assert!(!registry.is_live(&live));

        let mut expiring = token(account, Some(Uuid::now_v7()), Utc::now());
        expiring.accepted_until = Utc::now() + chrono::Duration::milliseconds(50);
        let SessionEnd(end) = registry.end_of(expiring);
        assert!(
            tokio::time::timeout(Duration::from_secs(10), end)
                .await
                .is_ok()
        );
    }
}
