//! `amlab spec FILE`: prints the ARM request an az ml CLI v2 spec becomes, secrets redacted.

use std::io::Write;
use std::path::Path;

use super::Io;
use crate::error::CommandError;
use crate::exit;
use crate::spec::{Context, translate};

/// What redacted secrets are replaced with.
pub(crate) const SECRET_PLACEHOLDER: &str = "<redacted: secret from the spec, not printed>";

/// The folder tree `amlab spec FILE` reads the files a spec names from: the current directory
/// when FILE is inside it (`conda_file: ../env/conda.yml` from a project's subfolder), else
/// FILE's own folder.
fn read_root(file: &Path) -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
    let real = file.canonicalize().ok()?;
    real.starts_with(&cwd).then_some(cwd)
}

/// The workspace context from `--var`s, with placeholders for what is not given.
pub(crate) fn context(vars: &std::collections::BTreeMap<String, String>) -> Context {
    let get = |k: &str, d: &str| vars.get(k).cloned().unwrap_or_else(|| d.to_owned());
    Context {
        subscription: get("subscription", "00000000-0000-0000-0000-000000000000"),
        resource_group: get("resource_group", "rg-amlab"),
        workspace: get("workspace", "mlw-amlab"),
        location: get("location", "eastus"),
        root: None,
    }
}

/// Translates and prints `{"resource": ..., "body": ...}`; exit 2 with the diagnostic on an
/// invalid spec.
pub(super) fn print(file: &Path, vars: &[String], io: &mut Io) -> Result<i32, CommandError> {
    let vars = super::labs::parse_vars(vars)?;
    const KNOWN: [&str; 4] = ["subscription", "resource_group", "workspace", "location"];
    if let Some(bad) = vars.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(CommandError::Usage(format!(
            "--var {bad}: unknown; `amlab spec` takes {}",
            KNOWN.join(", ")
        )));
    }
    let mut ctx = context(&vars);
    ctx.root = read_root(file);
    match translate(file, &ctx) {
        Ok(t) => {
            let out = serde_json::json!({
                "resource": t.resource_id(&ctx),
                "body": t.redacted(SECRET_PLACEHOLDER),
            });
            let text = serde_json::to_string_pretty(&out).map_err(std::io::Error::other)?;
            writeln!(io.stdout, "{text}")?;
            if !t.secrets.is_empty() {
                writeln!(
                    io.stderr,
                    "note: {} secret value(s) replaced with a placeholder: {}",
                    t.secrets.len(),
                    t.secrets.join(", ")
                )?;
            }
            Ok(exit::OK)
        }
        Err(errors) => {
            io.stderr.write_all(errors.render(io.color).as_bytes())?;
            writeln!(
                io.stderr,
                "error: {} in {}",
                crate::report::count(errors.errors.len(), "problem", "problems"),
                file.display()
            )?;
            Ok(exit::INVALID)
        }
    }
}
