//! An azure_core HTTP client that sends every request to one stand-in server, keeping path and
//! query. The Entra credentials refuse `http://` authority hosts, so tests keep the real
//! `https://login.microsoftonline.com` authority and plug this client in
//! ([`AuthOptions::http_client`](super::AuthOptions::http_client)) to reach a loopback fake.

use std::sync::{Arc, Mutex};

use azure_core::error::ErrorKind;
use azure_core::http::{AsyncRawResponse, HttpClient, Request, Url};

/// Rewrites scheme, host and port of each request to `target`'s and records the original URLs.
#[derive(Debug)]
pub struct RedirectHttpClient {
    inner: reqwest::Client,
    target: Url,
    seen: Arc<Mutex<Vec<String>>>,
}

impl RedirectHttpClient {
    /// A client sending everything to `target` (such as `http://127.0.0.1:PORT`).
    pub fn new(target: &str) -> azure_core::Result<Self> {
        let target = Url::parse(target)?;
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| azure_core::Error::with_message(ErrorKind::Io, e.to_string()))?;
        Ok(Self {
            inner,
            target,
            seen: Arc::default(),
        })
    }

    /// The URLs requests were addressed to before rewriting, in order.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl HttpClient for RedirectHttpClient {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let mut rewritten = request.clone();
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(request.url().to_string());
        }
        let url = rewritten.url_mut();
        let bad = |what: &str| azure_core::Error::with_message(ErrorKind::Other, what.to_owned());
        url.set_scheme(self.target.scheme())
            .map_err(|()| bad("cannot set scheme"))?;
        url.set_host(self.target.host_str())?;
        url.set_port(self.target.port_or_known_default())
            .map_err(|()| bad("cannot set port"))?;
        self.inner.execute_request(&rewritten).await
    }
}
