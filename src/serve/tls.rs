//! TLS for `amlab serve --tls`: a throwaway certificate authority and a server certificate for
//! `localhost` and the listening IP, made fresh at every start (rcgen). The CA certificate is
//! written where clients can be told to trust it (`amlab run --ca-cert PATH`, or the
//! `REQUESTS_CA_BUNDLE` of `--env-file`); the private keys never leave memory.
//!
//! [`Certificates`] is the rustls certificate resolver: by SNI it presents a leaf certificate
//! for an Azure host the proxy serves (minted on first use by the same CA, then cached), and the
//! server certificate otherwise.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

use crate::fsutil::write_atomic;

/// A server certificate chain and key, in PEM, and the CA that signed it.
pub struct ServerIdentity {
    /// The server certificate followed by the CA certificate.
    pub chain_pem: String,
    /// The server's private key.
    pub key_pem: String,
    /// The CA certificate clients should trust.
    pub ca_pem: String,
    /// The CA, which signs the leaf certificates of proxied hosts.
    ca: Arc<CertifiedIssuer<'static, KeyPair>>,
    /// The server certificate and key, for rustls.
    default: Arc<CertifiedKey>,
}

impl std::fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerIdentity")
            .field("ca_pem", &self.ca_pem)
            .finish_non_exhaustive()
    }
}

/// Makes a CA and a server certificate valid for `localhost`, `127.0.0.1`, `::1` and `ip`.
pub fn generate(ip: IpAddr) -> Result<ServerIdentity, rcgen::Error> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "amlab serve local CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let ip = ip.to_string();
    if !names.contains(&ip) {
        names.push(ip);
    }
    let mut params = CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "amlab serve");
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca)?;
    let default = certified(cert.der(), ca.der(), &key)?;
    Ok(ServerIdentity {
        chain_pem: format!("{}{}", cert.pem(), ca.pem()),
        key_pem: key.serialize_pem(),
        ca_pem: ca.pem(),
        ca: Arc::new(ca),
        default,
    })
}

/// A rustls certified key: `leaf` then `ca`, with `key`.
fn certified(
    leaf: &CertificateDer<'static>,
    ca: &CertificateDer<'static>,
    key: &KeyPair,
) -> Result<Arc<CertifiedKey>, rcgen::Error> {
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::aws_lc_rs::sign::any_supported_type(&der)
        .map_err(|_| rcgen::Error::CouldNotParseKeyPair)?;
    Ok(Arc::new(CertifiedKey::new(
        vec![leaf.clone(), ca.clone()],
        signing,
    )))
}

/// At most this many host certificates are kept.
const MAX_MINTED: usize = 1024;

/// The certificate resolver of the TLS listener and of every proxied tunnel.
#[derive(Debug)]
pub struct Certificates {
    identity: Arc<ServerIdentity>,
    /// Leaf certificates minted for proxied hosts, by lowercase host name.
    minted: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl Certificates {
    /// A resolver presenting `identity`'s certificate, and minting for proxied hosts.
    pub fn new(identity: Arc<ServerIdentity>) -> Self {
        Self {
            identity,
            minted: Mutex::new(HashMap::new()),
        }
    }

    /// The leaf certificate for `host` (minted once, then cached).
    pub fn for_host(&self, host: &str) -> Option<Arc<CertifiedKey>> {
        let host = host.to_ascii_lowercase();
        let mut minted = self
            .minted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(k) = minted.get(&host) {
            return Some(Arc::clone(k));
        }
        let key = KeyPair::generate().ok()?;
        let mut params = CertificateParams::new(vec![host.clone()]).ok()?;
        params
            .distinguished_name
            .push(DnType::CommonName, host.as_str());
        let cert = params.signed_by(&key, &self.identity.ca).ok()?;
        let certified = certified(cert.der(), self.identity.ca.der(), &key).ok()?;
        // Bounded: a client naming endless storage accounts cannot grow it without limit.
        if minted.len() >= MAX_MINTED {
            minted.clear();
        }
        minted.insert(host, Arc::clone(&certified));
        Some(certified)
    }

    /// How many host certificates were minted so far.
    pub fn minted(&self) -> usize {
        self.minted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        match hello.server_name() {
            Some(name) if super::hosts::is_proxied(name) => self.for_host(name),
            _ => Some(Arc::clone(&self.identity.default)),
        }
    }
}

/// Writes the CA certificate (public; no key) atomically.
pub fn write_ca(identity: &ServerIdentity, path: &Path) -> std::io::Result<()> {
    write_atomic(path, identity.ca_pem.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_certificates_are_minted_once_and_chain_to_the_ca() {
        let identity = generate("127.0.0.1".parse().unwrap_or(IpAddr::from([127, 0, 0, 1])))
            .unwrap_or_else(|e| panic!("{e}"));
        let ca_der = identity.ca.der().clone();
        let certs = Certificates::new(Arc::new(identity));
        let a = certs
            .for_host("Management.Azure.com")
            .unwrap_or_else(|| panic!("minted"));
        let b = certs
            .for_host("management.azure.com")
            .unwrap_or_else(|| panic!("minted"));
        assert!(Arc::ptr_eq(&a, &b), "cached per host, case-insensitively");
        assert_eq!(a.cert.len(), 2);
        assert_eq!(a.cert[1], ca_der);
        for i in 0..MAX_MINTED + 5 {
            let _ = certs.for_host(&format!("st{i}.blob.core.windows.net"));
        }
        assert!(certs.minted() <= MAX_MINTED);
    }
}
