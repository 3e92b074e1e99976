//! The `--tls` listener: HTTPS for the emulator and, on the same port, an HTTPS proxy for the
//! Azure hosts unmodified clients call ([`super::hosts`]).
//!
//! Each connection is sniffed: a TLS ClientHello (first byte `0x16`) is HTTPS (requests go to
//! the router; a `CONNECT` is accepted too, for clients that speak TLS to their proxy);
//! anything else is plain HTTP, where only `CONNECT` is answered. A `CONNECT` to a listed host
//! on port 443 gets `200`, then the tunnel is terminated with a certificate for that host
//! minted by the server's CA ([`super::tls::Certificates`]) and served by the same router: the
//! client talks to the emulator as `https://management.azure.com`. A `CONNECT` to any other
//! host gets `403` with the reason, and is logged; nothing is ever forwarded.
//!
//! One TLS stack: rustls on aws-lc-rs (tokio-rustls), HTTP by hyper (hyper-util's auto
//! builder, HTTP/1.1 and HTTP/2 by ALPN, with upgrades for `CONNECT`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::tls::{Certificates, ServerIdentity};
use super::{Server, hosts, router};

/// How long a new connection may take to send its first byte and finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutdown waits for open connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// What every connection task shares.
#[derive(Clone)]
struct Proxy {
    server: Arc<Server>,
    router: axum::Router,
    acceptor: TlsAcceptor,
    /// Held by every connection; shutdown waits until all are dropped.
    _alive: tokio::sync::mpsc::Sender<()>,
}

/// The rustls server configuration: certificates by SNI, HTTP/2 and HTTP/1.1 by ALPN.
pub fn server_config(certs: Arc<Certificates>) -> Arc<rustls::ServerConfig> {
    // The process-wide default provider is aws-lc-rs, the one rustls is built with here.
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_cert_resolver(certs);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// Serves HTTPS and the proxy on `listener` until `shutdown` completes.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    server: Arc<Server>,
    identity: ServerIdentity,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let certs = Arc::new(Certificates::new(Arc::new(identity)));
    let (alive, mut drained) = tokio::sync::mpsc::channel::<()>(1);
    let proxy = Proxy {
        router: router(Arc::clone(&server)),
        server: Arc::clone(&server),
        acceptor: TlsAcceptor::from(server_config(certs)),
        _alive: alive,
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(connection(stream, proxy.clone()));
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    server.stop();
    drop(proxy);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drained.recv()).await;
    Ok(())
}

/// A connection after its first byte: TLS (handshake done) or plain.
enum Accepted {
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    Plain(TcpStream),
}

/// One accepted connection: TLS or plain, by its first byte. A connection still silent or
/// mid-handshake when the server stops is dropped at once; a served one shuts down gracefully.
async fn connection(stream: TcpStream, proxy: Proxy) {
    let server = Arc::clone(&proxy.server);
    let accepted = tokio::select! {
        a = accept(stream, &proxy) => a,
        () = server.stopped() => None,
    };
    match accepted {
        Some(Accepted::Tls(tls)) => serve_http(*tls, proxy, true).await,
        Some(Accepted::Plain(plain)) => serve_http(plain, proxy, false).await,
        None => {}
    }
}

async fn accept(stream: TcpStream, proxy: &Proxy) -> Option<Accepted> {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut first)).await;
    if !matches!(peeked, Ok(Ok(1))) {
        return None;
    }
    if first[0] != 0x16 {
        return Some(Accepted::Plain(stream));
    }
    let accepted =
        tokio::time::timeout(HANDSHAKE_TIMEOUT, proxy.acceptor.clone().accept(stream)).await;
    match accepted {
        Ok(Ok(tls)) => Some(Accepted::Tls(Box::new(tls))),
        _ => None,
    }
}

/// Serves HTTP on `io` (`secure`: inside TLS) until the connection ends or the server stops.
fn serve_http<I>(io: I, proxy: Proxy, secure: bool) -> Pin<Box<dyn Future<Output = ()> + Send>>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    Box::pin(async move {
        let server = Arc::clone(&proxy.server);
        let shared = proxy.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let proxy = shared.clone();
            async move { Ok::<_, Infallible>(dispatch(proxy, req, secure).await) }
        });
        let builder = auto::Builder::new(TokioExecutor::new());
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => return,
            () = server.stopped() => conn.as_mut().graceful_shutdown(),
        }
        let _ = conn.await;
        drop(proxy);
    })
}

/// One request on the TLS port.
async fn dispatch(proxy: Proxy, req: Request<Incoming>, secure: bool) -> Response<Body> {
    if req.method() == Method::CONNECT {
        return connect(proxy, req);
    }
    if !secure {
        return text(
            StatusCode::BAD_REQUEST,
            "amlab serve: this port speaks HTTPS (use https://), and as an HTTP proxy it only tunnels CONNECT to Azure hosts.\n",
        );
    }
    match proxy.router.oneshot(req.map(Body::new)).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// `CONNECT host:port`: a tunnel to the emulator for a listed Azure host, else 403.
fn connect(proxy: Proxy, req: Request<Incoming>) -> Response<Body> {
    let Some(authority) = req.uri().authority().cloned() else {
        return text(
            StatusCode::BAD_REQUEST,
            "amlab serve: CONNECT needs host:port\n",
        );
    };
    let host = authority.host().to_owned();
    let port = authority.port_u16().unwrap_or(443);
    if !hosts::is_proxied(&host) || port != 443 {
        proxy.server.record("CONNECT", authority.as_str(), 403);
        return text(
            StatusCode::FORBIDDEN,
            &format!(
                "amlab serve: refused CONNECT to {authority}: not an Azure host the emulator serves (nothing is forwarded to the internet). Served on port 443: {}.\n",
                hosts::listed()
            ),
        );
    }
    proxy.server.record("CONNECT", authority.as_str(), 200);
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        let io = TokioIo::new(upgraded);
        let accepted =
            tokio::time::timeout(HANDSHAKE_TIMEOUT, proxy.acceptor.clone().accept(io)).await;
        if let Ok(Ok(tls)) = accepted {
            serve_http(tls, proxy, true).await;
        }
    });
    Response::new(Body::empty())
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(message.to_owned()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
