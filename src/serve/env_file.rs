//! `amlab serve --env-file PATH`: the shell lines (`export NAME=VALUE`) that make unmodified
//! clients use the server. Python's requests/azure-core, MSAL and azure-storage-blob read
//! `HTTPS_PROXY` and `REQUESTS_CA_BUNDLE`/`SSL_CERT_FILE`; azure-identity's
//! `EnvironmentCredential` reads the `AZURE_*` service principal; the Azure CLI reads the same
//! plus `ARM_CLOUD_METADATA_URL`.
//!
//! The file holds the emulator's client secret and its user's password, so it is written atomically (temp file +
//! rename, mode 0600), never over a symlink, device or pipe, and its contents are never printed.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::emulator::{SUBSCRIPTION_ID, TENANT_ID};
use crate::fsutil::write_atomic;

use super::identity::{CLIENT_ID, USERNAME};

/// What the file points clients at.
#[derive(Debug)]
pub struct EnvFile<'a> {
    /// Where the server listens.
    pub addr: SocketAddr,
    /// The CA certificate file (`--ca-out`), when serving TLS.
    pub ca: Option<&'a Path>,
    /// The emulated service principal's client secret.
    pub client_secret: &'a str,
    /// The emulated user's password.
    pub user_password: &'a str,
}

impl EnvFile<'_> {
    /// The file's text.
    pub fn render(&self) -> String {
        let mut vars: Vec<(&str, String)> = vec![
            ("AZURE_TENANT_ID", TENANT_ID.to_owned()),
            ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
            ("AZURE_CLIENT_SECRET", self.client_secret.to_owned()),
            ("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION_ID.to_owned()),
            ("AZURE_USERNAME", USERNAME.to_owned()),
            ("AZURE_PASSWORD", self.user_password.to_owned()),
        ];
        // Clients reach a wildcard bind through the loopback address.
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        if let Some(ca) = self.ca {
            let ca = ca.display().to_string();
            let proxy = format!("http://{addr}");
            let no_proxy = no_proxy(&addr);
            vars.extend([
                ("HTTPS_PROXY", proxy.clone()),
                ("https_proxy", proxy),
                ("NO_PROXY", no_proxy.clone()),
                ("no_proxy", no_proxy),
                ("REQUESTS_CA_BUNDLE", ca.clone()),
                ("SSL_CERT_FILE", ca.clone()),
                ("CURL_CA_BUNDLE", ca),
                (
                    "ARM_CLOUD_METADATA_URL",
                    format!("https://{addr}/metadata/endpoints?api-version=2022-09-01"),
                ),
            ]);
        }
        let mut text = String::from(
            "# Written by `amlab serve --env-file`: source it (`. FILE`) so the Azure SDKs and CLI\n\
             # use the emulator. AZURE_CLIENT_SECRET is the emulator's own credential.\n",
        );
        for (name, value) in vars {
            let _ = writeln!(text, "export {name}={}", shell_quote(&value));
        }
        text
    }

    /// Writes the file at `path` atomically; refuses to replace anything but a regular file.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Ok(meta) = std::fs::symlink_metadata(path)
            && !meta.file_type().is_file()
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a regular file; not replacing it",
                    path.display()
                ),
            ));
        }
        write_atomic(path, self.render().as_bytes())
    }
}

/// The loopback names clients reach the server by without the proxy. The IPv6 loopback is
/// listed only when the server listens on IPv6: azureml-dataprep-rslex (mltable's reader)
/// parses every entry as `host[:port]` and refuses to start on `::1`
/// (`ProxySettings(InvalidNoProxyPort(ParseIntError ...))`).
fn no_proxy(addr: &SocketAddr) -> String {
    if addr.is_ipv6() {
        "localhost,127.0.0.1,::1".to_owned()
    } else {
        "localhost,127.0.0.1".to_owned()
    }
}

/// `value` single-quoted for POSIX shells.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `path` made absolute against the working directory (the file is sourced from anywhere).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_quoted_exports_and_proxy_variables_only_with_tls() {
        let addr: SocketAddr = "0.0.0.0:8443".parse().unwrap_or_else(|e| panic!("{e}"));
        let plain = EnvFile {
            addr,
            ca: None,
            client_secret: "a'b",
            user_password: "p",
        }
        .render();
        assert!(plain.contains("export AZURE_CLIENT_SECRET='a'\\''b'\n"));
        assert!(!plain.contains("HTTPS_PROXY"));
        let tls = EnvFile {
            addr,
            ca: Some(Path::new("/tmp/ca.pem")),
            client_secret: "s",
            user_password: "p",
        }
        .render();
        assert!(tls.contains("export HTTPS_PROXY='http://127.0.0.1:8443'\n"));
        assert!(tls.contains("export REQUESTS_CA_BUNDLE='/tmp/ca.pem'\n"));
        // No IPv6 entry an IPv4 server does not need: rslex cannot parse one.
        assert!(tls.contains("export NO_PROXY='localhost,127.0.0.1'\n"));
        let v6 = EnvFile {
            addr: "[::1]:8443".parse().unwrap_or_else(|e| panic!("{e}")),
            ca: Some(Path::new("/tmp/ca.pem")),
            client_secret: "s",
            user_password: "p",
        }
        .render();
        assert!(v6.contains("export NO_PROXY='localhost,127.0.0.1,::1'\n"));
        assert!(tls.contains(
            "export ARM_CLOUD_METADATA_URL='https://127.0.0.1:8443/metadata/endpoints?api-version=2022-09-01'\n"
        ));
        for line in tls.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.starts_with("export "), "{line}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn never_replaces_a_symlink_and_is_private() -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("target");
        std::fs::write(&target, "keep")?;
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link)?;
        let f = EnvFile {
            addr: "127.0.0.1:1".parse().unwrap_or_else(|e| panic!("{e}")),
            ca: None,
            client_secret: "s",
            user_password: "p",
        };
        assert!(f.write(&link).is_err());
        assert_eq!(std::fs::read_to_string(&target)?, "keep");
        let path = dir.path().join("serve.env");
        f.write(&path)?;
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o600
        );
        Ok(())
    }
}
