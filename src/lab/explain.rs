//! `amlab explain`: a lab in words for the learner who does it by hand: its parameters, the
//! resources it expects (ids as templates over the parameters a learner names) and each check
//! with its points; hidden checks stay hidden unless revealed.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::Value;

use super::LabFile;
use super::resolve::step_points;
use super::template::{Ref, Template};
use super::types::{Check, Lab, Step, Visibility};

/// The lab explained, as plain text.
pub fn explain(file: &LabFile, reveal: bool) -> String {
    let lab = &file.lab;
    let mut s = String::new();
    let possible: u32 = lab.steps.iter().map(step_points).sum();
    let _ = writeln!(
        s,
        "{} · {} ({})",
        lab.id.value,
        lab.title,
        file.path.display()
    );
    let _ = writeln!(
        s,
        "{} {}, {} · pass mark: {}",
        lab.steps.len(),
        plural(lab.steps.len(), "step", "steps"),
        points(possible),
        super::resolve::pass_mark(lab).map_or_else(|e| e, |m| m.to_string())
    );
    s.push_str(&includes(file));
    if let Some(d) = &lab.description {
        s.push('\n');
        for line in d.trim_end().lines() {
            let _ = writeln!(s, "{}", format!("  {line}").trim_end());
        }
    }
    s.push_str(&parameters(lab));
    s.push_str("\nSteps (the resources the lab expects and what is checked on each):\n");
    for step in &lab.steps {
        s.push_str(&explain_step(lab, step, reveal));
    }
    s.push_str(&how_to_check(file));
    s
}

/// One line per shared setup file the lab includes, with the steps written in it.
fn includes(file: &LabFile) -> String {
    let sources = &file.sources;
    let mut s = String::new();
    for (i, f) in sources.files.iter().enumerate().skip(1) {
        let steps: Vec<&str> = file
            .lab
            .steps
            .iter()
            .filter(|st| sources.file_of(super::span::range(&sources.merged, &st.id).0) == i)
            .map(|st| st.id.value.as_str())
            .collect();
        let what = if steps.is_empty() {
            "parameters only".to_owned()
        } else {
            format!("steps {}", steps.join(", "))
        };
        let _ = writeln!(s, "includes {} ({what})", f.path.display());
    }
    s
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn points(n: u32) -> String {
    format!("{n} {}", if n == 1 { "point" } else { "points" })
}

fn parameters(lab: &Lab) -> String {
    let mut s = String::from("\nParameters (set with --var NAME=VALUE):\n");
    let width = lab
        .params
        .iter()
        .map(|(k, _)| k.value.len())
        .max()
        .unwrap_or(0);
    for (name, param) in lab.params.iter() {
        let default = match &param.default {
            Some(d) if is_random(&d.value) => {
                format!("{} (random, remembered per target)", d.value)
            }
            Some(d) => d.value.clone(),
            None => "(required)".to_owned(),
        };
        let _ = writeln!(s, "  {:width$}  {default}", name.value);
        if let Some(desc) = &param.description {
            let _ = writeln!(s, "  {:width$}    {}", "", desc.trim());
        }
    }
    s
}

fn is_random(text: &str) -> bool {
    Template::parse(text).is_ok_and(|t| {
        t.placeholders()
            .any(|p| matches!(p.reference, Ref::Random(_)))
    })
}

/// Whether a parameter is an id built from others (its default starts with `/` or `${`):
/// such parameters are expanded in resource templates, names are kept as `${name}`.
fn is_id_like(lab: &Lab, name: &str) -> bool {
    lab.params
        .get(name)
        .and_then(|p| p.default.as_ref())
        .is_some_and(|d| d.value.starts_with('/') || d.value.starts_with("${"))
}

/// A template with id-like parameters expanded (depth-bounded against cycles).
fn expand(lab: &Lab, text: &str, depth: usize) -> String {
    let Ok(template) = Template::parse(text) else {
        return text.to_owned();
    };
    let rendered: Result<_, std::convert::Infallible> = template.render(|p| {
        Ok(match &p.reference {
            Ref::Param(n) if depth < 8 && is_id_like(lab, n) => {
                let default = lab
                    .params
                    .get(n)
                    .and_then(|p| p.default.as_ref())
                    .map_or("", |d| d.value.as_str());
                expand(lab, default, depth + 1)
            }
            Ref::Param(n) => format!("${{{n}}}"),
            Ref::Subscription => "${subscription}".to_owned(),
            Ref::Random(n) => format!("${{random:{n}}}"),
        })
    });
    rendered.map_or_else(|_| text.to_owned(), |r| r.text)
}

fn explain_step(lab: &Lab, step: &Step, reveal: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n  {} · {} [{}]",
        step.id.value,
        step.title,
        points(step_points(step))
    );
    let _ = writeln!(s, "    resource: {}", expand(lab, &step.resource.value, 0));
    if !step.needs.is_empty() {
        let needs: Vec<&str> = step.needs.iter().map(|n| n.value.as_str()).collect();
        let _ = writeln!(s, "    needs: {}", needs.join(", "));
    }
    if let Some(w) = &step.wait {
        let _ = writeln!(s, "    waits until: {}", w.until.value);
    }
    let mut hidden = (0usize, 0u32);
    for check in &step.expect {
        if check.visibility == Visibility::Hidden && !reveal {
            hidden.0 += 1;
            hidden.1 += check.points.unwrap_or(0);
            continue;
        }
        let _ = writeln!(s, "    - {}", describe(lab, check));
    }
    match hidden {
        (0, _) => {}
        (n, 0) => {
            let _ = writeln!(s, "    - and {n} hidden {}", plural(n, "check", "checks"));
        }
        (n, p) => {
            let _ = writeln!(
                s,
                "    - and {n} hidden {} ({})",
                plural(n, "check", "checks"),
                points(p)
            );
        }
    }
    if step.delete {
        s.push_str("    - deleted by the lab's setup (its starting state): nothing to check\n");
    } else if step.expect.is_empty() {
        s.push_str("    - the resource exists\n");
    }
    s
}

/// One check in words: its title, what is compared (unless its visibility hides the expected
/// value) and its own points.
fn describe(lab: &Lab, check: &Check) -> String {
    let what = format!("{} {}", check.query.value, comparison(lab, check));
    let mut s = match (&check.title, check.visibility) {
        (Some(t), Visibility::Full | Visibility::Hidden) => format!("{t}: {what}"),
        (Some(t), _) => t.clone(),
        (None, Visibility::Full | Visibility::Hidden) => what,
        (None, _) => format!("{} (the expected value is not shown)", check.query.value),
    };
    if check.visibility == Visibility::Hidden {
        s.push_str(" (hidden)");
    }
    if let Some(p) = check.points {
        let _ = write!(s, " [{}]", points(p));
    }
    s
}

fn comparison(lab: &Lab, check: &Check) -> String {
    let case = if check.ignore_case { " (any case)" } else { "" };
    let show = |v: &Value| match v {
        Value::String(s) => format!("'{}'", expand(lab, s, 0)),
        other => other.to_string(),
    };
    let text = if let Some(v) = &check.equals {
        format!("is {}", show(v))
    } else if let Some(v) = &check.not_equals {
        format!("is not {}", show(v))
    } else if let Some(vs) = &check.one_of {
        let all: Vec<String> = vs.iter().map(show).collect();
        format!("is one of {}", all.join(", "))
    } else if let Some(m) = &check.matches {
        format!("matches `{}`", m.value)
    } else if let Some(v) = &check.gte {
        format!("is at least {}", show(v))
    } else if let Some(v) = &check.lte {
        format!("is at most {}", show(v))
    } else if let Some(b) = check.exists {
        if b { "is set" } else { "is not set" }.to_owned()
    } else if let Some(v) = &check.contains {
        format!("contains {}", show(v))
    } else {
        String::new()
    };
    format!("{text}{case}")
}

/// The `amlab check` command naming the learner's own resources: every parameter a resource
/// refers to that has no default or whose default is random (directly or through another).
fn how_to_check(file: &LabFile) -> String {
    let lab = &file.lab;
    let mut names = BTreeSet::new();
    for step in &lab.steps {
        let text = expand(lab, &step.resource.value, 0);
        if let Ok(t) = Template::parse(&text) {
            for p in t.placeholders() {
                if let Ref::Param(n) = &p.reference
                    && (lab.params.get(n).is_some_and(|p| p.default.is_none())
                        || depends_on_random(lab, n, 0))
                {
                    names.insert(n.clone());
                }
            }
        }
    }
    let mut ordered: Vec<&str> = lab
        .params
        .iter()
        .map(|(k, _)| k.value.as_str())
        .filter(|k| names.contains(*k))
        .collect();
    ordered.dedup();
    let mut s = String::from("\nCheck your own work (read-only):\n");
    let mut line = format!("  amlab check {}", file.path.display());
    for n in &ordered {
        let _ = write!(line, " --var {n}=...");
    }
    s.push_str(&line);
    s.push('\n');
    if !ordered.is_empty() {
        s.push_str(
            "  (add --target azure --subscription ID for Azure; --watch re-checks until all pass)\n",
        );
    }
    s
}

fn depends_on_random(lab: &Lab, name: &str, depth: usize) -> bool {
    let Some(d) = lab.params.get(name).and_then(|p| p.default.as_ref()) else {
        return false;
    };
    Template::parse(&d.value).is_ok_and(|t| {
        t.placeholders().any(|p| match &p.reference {
            Ref::Random(_) => true,
            Ref::Param(n) => depth < 8 && depends_on_random(lab, n, depth + 1),
            Ref::Subscription => false,
        })
    })
}
