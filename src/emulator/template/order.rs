//! Orders a template's instances by `dependsOn` (and a nested resource after its parent):
//! a dependency names a resource id, a resource name or a copy loop; one on a resource whose
//! condition is false is dropped, one on nothing in the template is an error, and a cycle is
//! refused in ARM's words.

use super::TemplateError;
use super::resources::Instance;

/// The indexes of the deployed instances, every one after what it depends on (template order
/// among the ready ones).
pub(crate) fn sort(instances: &mut [Instance]) -> Result<Vec<usize>, TemplateError> {
    let deps = instances
        .iter()
        .map(|inst| dependencies(instances, inst))
        .collect::<Result<Vec<_>, _>>()?;
    for (inst, d) in instances.iter_mut().zip(&deps) {
        inst.waits_for.clone_from(d);
    }
    let instances = &*instances;
    let mut done = vec![false; instances.len()];
    let mut order = Vec::new();
    let wanted: Vec<usize> = (0..instances.len())
        .filter(|&i| instances[i].deployed)
        .collect();
    while order.len() < wanted.len() {
        let ready = wanted
            .iter()
            .copied()
            .find(|&i| !done[i] && deps[i].iter().all(|&d| done[d] || !instances[d].deployed));
        let Some(i) = ready else {
            let stuck = wanted
                .iter()
                .find(|&&i| !done[i])
                .map_or("", |&i| instances[i].id.as_str());
            return Err(TemplateError::invalid(format!(
                "Deployment template validation failed: 'Circular dependency detected on resource: '{stuck}'. Please see https://aka.ms/arm-template/#resources for usage details.'"
            )));
        };
        done[i] = true;
        order.push(i);
    }
    Ok(order)
}

/// What `inst` waits for: its parent and every instance its `dependsOn` names.
fn dependencies(instances: &[Instance], inst: &Instance) -> Result<Vec<usize>, TemplateError> {
    let mut out: Vec<usize> = inst.parent.into_iter().collect();
    for d in &inst.depends_on {
        let matched: Vec<usize> = instances
            .iter()
            .enumerate()
            .filter(|(_, other)| names(other, d))
            .map(|(j, _)| j)
            .collect();
        if matched.is_empty() {
            return Err(TemplateError::invalid(format!(
                "Deployment template validation failed: 'The resource '{d}' is not defined in the template. Please see https://aka.ms/arm-template for usage details.'"
            )));
        }
        out.extend(matched);
    }
    Ok(out)
}

/// Whether the dependency text `d` names `inst`.
fn names(inst: &Instance, d: &str) -> bool {
    let d = d.trim_end_matches('/');
    inst.id.eq_ignore_ascii_case(d)
        || inst.name.eq_ignore_ascii_case(d)
        || inst
            .copy_name
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(d))
        || format!("{}/{}", inst.type_name, inst.name).eq_ignore_ascii_case(d)
}
