//! The access-token cache in front of a [`Credential`], and the [`Secret`] type that carries a
//! token without ever printing it.
//!
//! The cache refreshes a token that has less than the refresh margin (5 minutes by default) of
//! validity left, and [`TokenCache::invalidate`] forces one refresh after ARM answered 401.
//! Concurrent callers share one refresh: the state sits behind a tokio mutex held while the
//! credential is asked.

use std::fmt;
use std::time::Duration;

use azure_core::time::OffsetDateTime;
use tokio::sync::Mutex;

use super::{AuthError, Credential};

/// How long before expiry a token is refreshed, by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A secret string (an access token). `Debug` and `Display` print `<redacted>`; only
/// [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value. The value is remembered by the process's scrubber ([`crate::secrets`]): wherever an
    /// endpoint echoes it, no report or message shows it.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        crate::secrets::remember(&value);
        Self(value)
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Default)]
struct State {
    current: Option<(Secret, OffsetDateTime)>,
    /// Set by `invalidate`: the next `token()` asks the credential whatever the expiry says.
    stale: bool,
    /// How many times the credential was asked (for tests and diagnostics).
    fetches: u64,
}

/// Caches the ARM access token of one credential and scope.
pub struct TokenCache {
    credential: Credential,
    scope: String,
    margin: Duration,
    state: Mutex<State>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .field("scope", &self.scope)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache for tokens of `credential` for `scope` (such as
    /// [`Cloud::scope`](crate::arm::cloud::Cloud::scope)), refreshing 5 minutes before expiry.
    pub fn new(credential: Credential, scope: impl Into<String>) -> Self {
        Self {
            credential,
            scope: scope.into(),
            margin: DEFAULT_REFRESH_MARGIN,
            state: Mutex::new(State::default()),
        }
    }

    /// Sets how long before expiry a token is refreshed.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The credential behind the cache.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// A token with more than the refresh margin of validity left (or, when a refresh fails,
    /// the previous token while it has not expired and was not invalidated).
    pub async fn token(&self) -> Result<Secret, AuthError> {
        let mut state = self.state.lock().await;
        let now = OffsetDateTime::now_utc();
        if let Some((token, expires_on)) = &state.current
            && !state.stale
            && *expires_on - now > self.margin
        {
            return Ok(token.clone());
        }
        state.fetches += 1;
        match self.credential.get_token(&self.scope).await {
            Ok((token, expires_on)) => {
                state.current = Some((token.clone(), expires_on));
                state.stale = false;
                Ok(token)
            }
            Err(e) => match &state.current {
                Some((token, expires_on)) if !state.stale && *expires_on > now => Ok(token.clone()),
                _ => Err(e),
            },
        }
    }

    /// Forces the next [`token`](Self::token) to ask the credential again (after a 401).
    pub async fn invalidate(&self) {
        self.state.lock().await.stale = true;
    }

    /// Invalidates only if `rejected` is still the cached token, so that many requests
    /// rejected with the same token cause one refresh, not one each.
    pub(crate) async fn invalidate_token(&self, rejected: &Secret) {
        let mut state = self.state.lock().await;
        if state.current.as_ref().is_some_and(|(t, _)| t == rejected) {
            state.stale = true;
        }
    }

    /// How many times the credential has been asked for a token.
    pub async fn fetch_count(&self) -> u64 {
        self.state.lock().await.fetches
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};

    use super::*;
    use crate::arm::auth::AuthMode;

    /// Issues `tok-1`, `tok-2`, ... each valid for `lifetime`; fails when `fail` is set.
    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        lifetime: time::Duration,
        fail: std::sync::atomic::AtomicBool,
    }

    #[async_trait::async_trait]
    impl TokenCredential for Counting {
        async fn get_token(
            &self,
            _scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            // Yield so that concurrent callers really overlap.
            tokio::task::yield_now().await;
            if self.fail.load(Ordering::SeqCst) {
                return Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "refused; the secret was hunter2",
                ));
            }
            Ok(AccessToken::new(
                format!("tok-{n}"),
                OffsetDateTime::now_utc() + self.lifetime,
            ))
        }
    }

    fn counting_cache(lifetime_secs: i64) -> (Arc<Counting>, TokenCache) {
        let inner = Arc::new(Counting {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::seconds(lifetime_secs),
            fail: false.into(),
        });
        let credential =
            Credential::new(AuthMode::Token, "counting", inner.clone()).redacting("hunter2");
        (inner, TokenCache::new(credential, "scope/.default"))
    }

    #[tokio::test]
    async fn caches_until_margin_then_refreshes() {
        let (inner, cache) = counting_cache(3600);
        assert_eq!(cache.token().await.expect("token").expose(), "tok-1");
        assert_eq!(cache.token().await.expect("token").expose(), "tok-1");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1);

        // A token inside the margin is refreshed on every call.
        let (inner, cache) = counting_cache(60);
        assert_eq!(cache.token().await.expect("token").expose(), "tok-1");
        assert_eq!(cache.token().await.expect("token").expose(), "tok-2");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
        // With a smaller margin the same token is kept.
        let (inner, cache) = counting_cache(60);
        let cache = cache.with_refresh_margin(Duration::from_secs(10));
        cache.token().await.expect("token");
        cache.token().await.expect("token");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidate_forces_one_refresh() {
        let (inner, cache) = counting_cache(3600);
        let first = cache.token().await.expect("token");
        cache.invalidate_token(&first).await;
        // A second rejection of the same (old) token does not force yet another refresh.
        let second = cache.token().await.expect("token");
        cache.invalidate_token(&first).await;
        let third = cache.token().await.expect("token");
        assert_eq!(second.expose(), "tok-2");
        assert_eq!(third.expose(), "tok-2");
        cache.invalidate().await;
        assert_eq!(cache.token().await.expect("token").expose(), "tok-3");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
        assert_eq!(cache.fetch_count().await, 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_share_one_refresh() {
        let (inner, cache) = counting_cache(3600);
        let cache = Arc::new(cache);
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.token().await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("join").expect("token").expose(), "tok-1");
        }
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn failure_keeps_a_still_valid_token_and_redacts_errors() {
        let (inner, cache) = counting_cache(60);
        assert_eq!(cache.token().await.expect("token").expose(), "tok-1");
        inner.fail.store(true, Ordering::SeqCst);
        // Inside the margin, the refresh fails, the old (unexpired) token is still served.
        assert_eq!(cache.token().await.expect("old token").expose(), "tok-1");
        // After a 401 it is not.
        cache.invalidate().await;
        let err = cache.token().await.expect_err("no token");
        let text = format!("{err} {err:?}");
        assert!(text.contains("refused"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("eyJ0eXAiOiJKV1QiLCJhbGciOi");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
        assert_eq!(s.expose(), "eyJ0eXAiOiJKV1QiLCJhbGciOi");
    }
}
