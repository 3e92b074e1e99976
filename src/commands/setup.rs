//! `amlab setup LAB`: prepares on a target what the exercise's `setup.sh` would create (the
//! resource group, the workspace and what it needs, and the steps the lab lists under `setup:`,
//! such as the compute cluster and data assets, or a starting state with a deleted resource),
//! then, for a lab with an Azure ML workspace, writes the `config.json` that
//! `MLClient.from_config()` reads, naming that workspace.
//!
//! Which steps are setup: the step whose resource is the workspace (if any), the steps it needs
//! (transitively), and each step named in the lab's `setup:` list with the steps it needs. They
//! are applied as `amlab run` applies them (same client, same waiting, same checks); the
//! config file is written (atomically) only when all of them passed.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use super::Io;
use super::labs::{CheckPlan, prepare, reporters, run_round, shared_outputs};
use crate::cli::{ScoringArgs, SetupArgs};
use crate::error::CommandError;
use crate::lab::{ResolvedLab, load_all};
use crate::run::events::Mode;

/// Runs `amlab setup`.
pub(super) fn run(args: &SetupArgs, io: &mut Io) -> Result<i32, CommandError> {
    let files = load_all(&args.target.paths).map_err(CommandError::Lab)?;
    let [file] = files.as_slice() else {
        return Err(CommandError::Usage(format!(
            "setup prepares one lab; {} found in {}",
            crate::report::count(files.len(), "lab was", "labs were"),
            args.target
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let listed: Vec<String> = file.lab.setup.iter().map(|s| s.value.clone()).collect();
    let scoring = ScoringArgs::default();
    let mut prepared = prepare(Mode::Run, &args.target, &scoring, &CheckPlan::default(), io)?;
    let Some((lab, _, _)) = prepared.labs.first_mut() else {
        return Err(CommandError::Usage("the lab has no steps".into()));
    };
    let workspace = workspace_step(lab);
    if workspace.is_none() && listed.is_empty() {
        return Err(CommandError::Usage(format!(
            "lab `{}` has no Azure Machine Learning workspace step and no `setup:` list: nothing to set up",
            lab.id
        )));
    }
    let steps = setup_steps(lab, workspace.as_ref().map(|w| w.0.as_str()), &listed);
    *lab = super::select::keep_steps(lab.clone(), &steps);
    let (stdout, stderr) = shared_outputs(io);
    let reporters = reporters(&prepared.reports, &stdout, &stderr, &args.target, io, true);
    let results = run_round(
        &prepared,
        Mode::Run,
        &args.target,
        &scoring,
        reporters,
        None,
    )?;
    let code = super::exit_code(&results, prepared.interrupt.is_triggered());
    let Some((_, config)) = workspace else {
        if code != crate::exit::OK {
            writeln!(io.stderr, "amlab: setup did not complete")?;
        }
        return Ok(code);
    };
    if code != crate::exit::OK {
        writeln!(
            io.stderr,
            "amlab: setup did not complete: {} not written",
            args.config.display()
        )?;
        return Ok(code);
    }
    write_config(&args.config, &config)?;
    writeln!(
        io.stderr,
        "amlab: wrote {} (workspace {}): MLClient.from_config() reads it",
        args.config.display(),
        config.workspace_name
    )?;
    Ok(code)
}

/// What `config.json` names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct WorkspaceConfig {
    /// The subscription id.
    pub(crate) subscription_id: String,
    /// The resource group.
    pub(crate) resource_group: String,
    /// The workspace name.
    pub(crate) workspace_name: String,
}

/// The subscription, resource group and name of a workspace id
/// (`/subscriptions/S/resourceGroups/G/providers/Microsoft.MachineLearningServices/workspaces/W`).
pub(crate) fn workspace_of_id(id: &str) -> Option<WorkspaceConfig> {
    let segs: Vec<&str> = id.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        [s, sub, g, rg, p, ns, w, name]
            if s.eq_ignore_ascii_case("subscriptions")
                && g.eq_ignore_ascii_case("resourceGroups")
                && p.eq_ignore_ascii_case("providers")
                && ns.eq_ignore_ascii_case("Microsoft.MachineLearningServices")
                && w.eq_ignore_ascii_case("workspaces")
                && [sub, rg, name].iter().all(|v| !v.is_empty()) =>
        {
            Some(WorkspaceConfig {
                subscription_id: (*sub).to_owned(),
                resource_group: (*rg).to_owned(),
                workspace_name: (*name).to_owned(),
            })
        }
        _ => None,
    }
}

/// The id of the lab's workspace step and what its resource names, if it has one.
fn workspace_step(lab: &ResolvedLab) -> Option<(String, WorkspaceConfig)> {
    lab.steps
        .iter()
        .find_map(|s| workspace_of_id(&s.resource).map(|w| (s.id.clone(), w)))
}

/// The workspace step and the `listed` steps, each with every step it needs, in file order.
fn setup_steps(lab: &ResolvedLab, workspace: Option<&str>, listed: &[String]) -> Vec<String> {
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = workspace
        .map(str::to_owned)
        .into_iter()
        .chain(listed.iter().cloned())
        .collect();
    while let Some(id) = todo.pop() {
        if !wanted.insert(id.clone()) {
            continue;
        }
        if let Some(step) = lab.steps.iter().find(|s| s.id == id) {
            todo.extend(step.needs.iter().cloned());
        }
    }
    lab.steps
        .iter()
        .map(|s| s.id.clone())
        .filter(|id| wanted.contains(id))
        .collect()
}

/// Writes `config.json` atomically (temporary file and rename; a symlink is written through).
fn write_config(path: &Path, config: &WorkspaceConfig) -> Result<(), CommandError> {
    let mut text = serde_json::to_string_pretty(config)
        .map_err(|e| CommandError::Io(std::io::Error::other(e)))?;
    text.push('\n');
    crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|e| {
        CommandError::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", path.display()),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_id_names_its_config() {
        let id = "/subscriptions/0000/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/mlw-1";
        assert_eq!(
            workspace_of_id(id),
            Some(WorkspaceConfig {
                subscription_id: "0000".into(),
                resource_group: "rg-1".into(),
                workspace_name: "mlw-1".into(),
            })
        );
        for other in [
            "/subscriptions/0000/resourceGroups/rg-1",
            "/subscriptions/0000/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/mlw-1/computes/c",
            "/subscriptions/0000/resourceGroups/rg-1/providers/Microsoft.Storage/storageAccounts/mlw-1",
        ] {
            assert_eq!(workspace_of_id(other), None, "{other}");
        }
    }
}
