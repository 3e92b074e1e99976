//! TLS for `amlab serve --tls`: a throwaway certificate authority and a server certificate for
//! `localhost` and the listening IP, made fresh at every start (rcgen). The CA certificate is
//! written where clients can be told to trust it (`amlab run --ca-cert PATH`); the private keys
//! never leave memory.

use std::net::IpAddr;
use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

use crate::fsutil::write_atomic;

/// A server certificate chain and key, in PEM.
#[derive(Debug)]
pub struct ServerIdentity {
    /// The server certificate followed by the CA certificate.
    pub chain_pem: String,
    /// The server's private key.
    pub key_pem: String,
    /// The CA certificate clients should trust.
    pub ca_pem: String,
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
    Ok(ServerIdentity {
        chain_pem: format!("{}{}", cert.pem(), ca.pem()),
        key_pem: key.serialize_pem(),
        ca_pem: ca.pem(),
    })
}

/// Writes the CA certificate (public; no key) atomically.
pub fn write_ca(identity: &ServerIdentity, path: &Path) -> std::io::Result<()> {
    write_atomic(path, identity.ca_pem.as_bytes())
}
