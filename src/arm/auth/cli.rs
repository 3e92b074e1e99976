//! `--auth cli`: the account the Azure CLI is signed in with, through azure_identity's
//! `AzureCliCredential` (`az account get-access-token -o json --scope ...`).
//!
//! The CLI is found on `PATH`; [`AuthOptions::az_dir`](super::AuthOptions::az_dir) puts a
//! directory in front of it (for a fake `az` in tests) without changing amlab's own
//! environment: only the child process gets the longer `PATH`.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;

use azure_identity::{AzureCliCredential, AzureCliCredentialOptions, Executor};

use super::{AuthError, AuthMode, AuthOptions, Credential, Env, construction_error};

/// Runs commands on a blocking thread, with `dir` first on the child's `PATH`.
#[derive(Debug)]
pub(crate) struct PathExecutor {
    dir: Option<PathBuf>,
}

#[async_trait::async_trait]
impl Executor for PathExecutor {
    async fn run(&self, program: &OsStr, args: &[&OsStr]) -> io::Result<Output> {
        let mut command = Command::new(program);
        command.args(args);
        if let Some(dir) = &self.dir {
            let mut path = OsString::from(dir.as_os_str());
            if let Some(old) = std::env::var_os("PATH") {
                path.push(":");
                path.push(old);
            }
            command.env("PATH", path);
        }
        tokio::task::spawn_blocking(move || command.output())
            .await
            .map_err(io::Error::other)?
    }
}

/// Builds the `cli` credential.
pub(super) fn build(_env: &Env, options: &AuthOptions) -> Result<Credential, AuthError> {
    let description = match &options.az_dir {
        None => "Azure CLI (az account get-access-token)".to_owned(),
        Some(dir) => format!(
            "Azure CLI (az account get-access-token, az from {})",
            dir.display()
        ),
    };
    let credential = AzureCliCredential::new(Some(AzureCliCredentialOptions {
        executor: Some(Arc::new(PathExecutor {
            dir: options.az_dir.clone(),
        })),
        ..AzureCliCredentialOptions::default()
    }))
    .map_err(|e| construction_error(&description, &e))?;
    Ok(Credential::new(AuthMode::Cli, description, credential))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::arm::auth::{TokenCache, build_credential};
    use crate::arm::cloud::Cloud;

    /// Writes an executable `az` into `dir` that records its arguments and prints `stdout`.
    fn fake_az(dir: &std::path::Path, stdout: &str, exit: i32) -> PathBuf {
        let log = dir.join("az-args.txt");
        let script = format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\ncat <<'JSON'\n{stdout}\nJSON\nexit {exit}\n",
            log.display()
        );
        let az = dir.join("az");
        std::fs::write(&az, script).expect("write fake az");
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        log
    }

    #[tokio::test]
    async fn fake_az_on_injected_path_provides_the_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = fake_az(
            dir.path(),
            r#"{"accessToken":"cli-token-value","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"subscription":"sub","tenant":"tenant","tokenType":"Bearer"}"#,
            0,
        );
        let options = AuthOptions {
            cloud: Cloud::China,
            http_client: None,
            az_dir: Some(dir.path().to_owned()),
        };
        // Nothing configured: auto falls back to the CLI.
        let cred = build_credential(AuthMode::Auto, &Env::from_pairs::<&str, &str>([]), &options)
            .expect("credential");
        assert_eq!(cred.mode(), AuthMode::Cli);
        let cache = TokenCache::new(cred, Cloud::China.scope());
        assert_eq!(
            cache.token().await.expect("token").expose(),
            "cli-token-value"
        );
        // Cached: az runs once.
        cache.token().await.expect("token");
        let args = std::fs::read_to_string(&log).expect("az ran");
        assert_eq!(args.lines().count(), 1, "{args}");
        assert!(
            args.contains("account get-access-token -o json --scope https://management.chinacloudapi.cn/.default"),
            "{args}"
        );
    }

    #[tokio::test]
    async fn az_failure_is_a_credential_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let az = dir.path().join("az");
        std::fs::write(
            &az,
            "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
        )
        .expect("write");
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let options = AuthOptions {
            az_dir: Some(dir.path().to_owned()),
            ..AuthOptions::default()
        };
        let cred = build_credential(AuthMode::Cli, &Env::from_pairs::<&str, &str>([]), &options)
            .expect("credential");
        let err = TokenCache::new(cred, Cloud::Public.scope())
            .token()
            .await
            .expect_err("az failed");
        let text = err.to_string();
        assert!(text.contains("Azure CLI"), "{text}");
        assert!(text.contains("az login"), "{text}");
    }
}
