//! Tests of error collection: every independent mistake of a spec is reported at once, each at
//! its line and column, without follow-on errors; and of values read as the SDK's PyYAML reads
//! them (booleans), with the results the SDK gives for the same input.

use std::path::Path;

use serde_json::json;

use super::{Context, SpecErrors, Translated, translate_source};

fn ctx() -> Context {
    Context {
        subscription: "s".into(),
        resource_group: "g".into(),
        workspace: "w".into(),
        location: "eastus".into(),
        root: None,
    }
}

fn errors(name: &str, text: &str) -> SpecErrors {
    match translate_source(Path::new(name), text, &ctx()) {
        Ok(t) => panic!("{name} translated: {}", t.body),
        Err(e) => e,
    }
}

fn ok(text: &str) -> Translated {
    match translate_source(Path::new("ok.yml"), text, &ctx()) {
        Ok(t) => t,
        Err(e) => panic!("{}", e.render(false)),
    }
}

/// `(line, column, message after "file:line:col: ")` of each error, in order.
fn positions(e: &SpecErrors) -> Vec<(u64, u64, String)> {
    e.errors
        .iter()
        .map(|d| {
            let prefix = format!("{}:{}: ", d.line, d.column);
            let at = d.message.find(&prefix).map_or(0, |i| i + prefix.len());
            (d.line, d.column, d.message[at..].to_owned())
        })
        .collect()
}

const COMPUTE: &str = "\
$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json
name: cpu-cluster
type: amlcompute
sise: STANDARD_DS11_V2
min_instances: zero
max_instances: 2
idle_time_before_scale_down: 2m
tier: cheap
enable_node_public_ip: maybe
tags:
  owner: no
";

#[test]
fn every_independent_mistake_is_reported_at_its_line_and_column() {
    let e = errors("c.yml", COMPUTE);
    assert_eq!(
        positions(&e),
        [
            (4, 1, "unknown field `sise`".to_owned()),
            (
                5,
                16,
                "`min_instances` must be an integer, found `zero`".to_owned()
            ),
            (
                7,
                30,
                "`idle_time_before_scale_down` must be a whole number of seconds, found `2m`"
                    .to_owned()
            ),
            (
                8,
                7,
                "`tier` must be one of dedicated, low_priority, found `cheap`".to_owned()
            ),
            (
                9,
                24,
                "`enable_node_public_ip` must be true or false, found `maybe`".to_owned()
            ),
            (
                11,
                10,
                "`tags.owner` must be a string, found a boolean".to_owned()
            ),
        ]
    );
    assert!(e.errors[0].message.starts_with("c.yml:4:1: "));
    // What would be valid, for each.
    assert!(
        e.errors[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("did you mean `size`?"))
    );
    assert!(
        e.errors[2]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("seconds"))
    );
    assert!(
        e.errors[5]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("PyYAML") && h.contains("quote"))
    );
    // The caret covers the value.
    let src = COMPUTE;
    let span = e.errors[3].span;
    assert_eq!(&src[span.offset()..span.offset() + span.len()], "cheap");
}

#[test]
fn a_sweep_job_reports_mistakes_in_every_section() {
    let text = "\
type: sweep
name: s
compute: azureml:c
sampling_algorithm: gird
search_space:
  lr: {type: uniform, min_value: 0.1}
objective: {goal: maximise, primary_metric: acc}
limits: {max_total_trials: many, timeout: 1h}
trial:
  command: python t.py
  environment: azureml:env
tags: {a: 1}
";
    let got: Vec<(u64, u64)> = positions(&errors("s.yml", text))
        .into_iter()
        .map(|(l, c, _)| (l, c))
        .collect();
    assert_eq!(
        got,
        [
            (4, 21),
            (6, 7),
            (7, 19),
            (8, 28),
            (8, 43),
            (11, 16),
            (12, 11)
        ]
    );
    let e = errors("s.yml", text);
    let messages: Vec<&str> = e.errors.iter().map(|d| d.message.as_str()).collect();
    assert!(messages[1].ends_with("missing required field `search_space.<name>.max_value`"));
    assert!(messages[5].contains("`azureml:env` names no version"));
    assert!(messages[6].ends_with("`tags.a` must be a string, found `1`"));
}

#[test]
fn a_value_everything_else_depends_on_stops_without_follow_on_errors() {
    // A compute type decides the valid fields: only the type is reported.
    let e = errors(
        "c.yml",
        "$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json\nname: c\ntype: amlcomptue\nsize: x\nschedules: {}\n",
    );
    assert_eq!(positions(&e).len(), 1, "{}", e.render(false));
    assert!(
        e.errors[0].message.starts_with(
            "c.yml:3:7: `type` must be one of amlcompute, computeinstance, found `amlcomptue`"
        ),
        "{}",
        e.errors[0].message
    );
    // A bad required enum is one problem, not also "missing".
    let e = errors(
        "s.yml",
        "type: sweep\nname: s\nsampling_algorithm: grid\nsearch_space: {x: {type: choice, values: [1]}}\nobjective: {goal: up, primary_metric: m}\nlimits: {max_total_trials: 1}\ntrial: {command: c, environment: azureml:e:1}\n",
    );
    assert_eq!(
        positions(&e),
        [(
            5,
            19,
            "`objective.goal` must be one of maximize, minimize, found `up`".to_owned()
        )]
    );
}

#[test]
fn a_field_read_twice_is_reported_once() {
    // The trigger of a monitor schedule is read for the trigger and for the default window.
    let e = errors(
        "m.yml",
        "name: m\ntrigger: {type: recurrence, frequency: day, interval: often}\ncreate_monitor:\n  compute: {instance_type: standard_e4s_v3, runtime_version: '3.4'}\n  monitoring_signals: {}\n",
    );
    assert_eq!(
        positions(&e),
        [(
            2,
            55,
            "`trigger.interval` must be an integer, found `often`".to_owned()
        )]
    );
}

#[test]
fn errors_in_a_component_file_are_reported_each_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.yml"),
        "name: c\ntype: command\ncommand: echo\nenvironment: azureml:e\nextra: 1\n",
    )
    .unwrap();
    let text =
        "type: pipeline\nname: p\njobs:\n  a:\n    component: ./c.yml\n  b:\n    command: echo\n";
    let e = translate_source(&dir.path().join("p.yml"), text, &ctx()).unwrap_err();
    let got = positions(&e);
    assert_eq!(got.len(), 3, "{}", e.render(false));
    assert_eq!((got[0].0, got[0].1), (5, 16));
    assert!(
        got[0]
            .2
            .contains("c.yml:4:14: `azureml:e` names no version")
    );
    assert_eq!((got[1].0, got[1].1), (5, 16));
    assert!(got[1].2.contains("c.yml:5:1: unknown field `extra`"));
    assert_eq!(
        (got[2].0, got[2].1, got[2].2.as_str()),
        (7, 5, "missing required field `environment` in this step")
    );
}

#[test]
fn unparseable_yaml_and_unknown_kinds_stop_at_once() {
    let e = errors("x.yml", "name: c\ntype: [amlcompute\nsise: 1\n");
    assert_eq!(e.errors.len(), 1);
    assert!(e.errors[0].message.contains("not valid YAML"));
    let e = errors("x.yml", "name: c\nsise: 1\n");
    assert_eq!(e.errors.len(), 1);
    assert!(
        e.errors[0]
            .message
            .contains("cannot tell which Azure ML resource")
    );
}

/// The SDK's results for these inputs were measured with azure-ai-ml 1.35.2 (PyYAML 6.0.3);
/// `tests/differential/yaml11/` holds them as specs for the differential harness.
#[test]
fn values_are_read_as_pyyaml_reads_them() {
    let model = ok(
        "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: n\nversion: 1\npath: azureml://datastores/workspaceblobstore/paths/m\ndescription: Y\ntags: {a: y, b: yes, c: On, d: 'no', e: n, f: NO, g: yEs, i: TRUE}\nproperties: {p: off}\n",
    );
    assert_eq!(model.resource_path, "models/n/versions/1");
    let p = &model.body["properties"];
    assert_eq!(p["description"], "Y");
    assert_eq!(
        p["tags"],
        json!({"a": "y", "b": "True", "c": "True", "d": "no", "e": "n", "f": "False", "g": "yEs", "i": "True"})
    );
    assert_eq!(p["properties"], json!({"p": "False"}));
    let data = ok(
        "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\nname: y\nversion: n\npath: azureml://datastores/workspaceblobstore/paths/d\ntags: {a: n, b: Yes, c: Off, d: Y}\n",
    );
    assert_eq!(data.resource_path, "data/y/versions/n");
    assert_eq!(
        data.body["properties"]["tags"],
        json!({"a": "n", "b": true, "c": false, "d": "Y"})
    );
    let job = ok(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\nname: j\ncommand: echo\nenvironment: azureml:e:1\ndisplay_name: n\nenvironment_variables: {A: y, B: on, C: 'yes', E: N, off: 1, LR: 1e-3, O: 017}\ninputs: {lr: 1e-3, t: 1:30}\ntags: {t: n}\n",
    );
    let p = &job.body["properties"];
    assert_eq!(p["displayName"], "n");
    assert_eq!(
        p["environmentVariables"],
        json!({"A": "y", "B": true, "C": "yes", "E": "N", "false": 1, "LR": "1e-3", "O": 15})
    );
    assert_eq!(p["inputs"]["lr"]["value"], "1e-3");
    assert_eq!(p["inputs"]["t"]["value"], "90");
    assert_eq!(p["tags"], json!({"t": "n"}));
    let compute = ok(
        "name: n\ntype: amlcompute\nsize: y\nenable_node_public_ip: no\nssh_public_access_enabled: Off\n",
    );
    let inner = &compute.body["properties"]["properties"];
    assert_eq!(inner["vmSize"], "y");
    assert_eq!(inner["enableNodePublicIp"], false);
    assert_eq!(inner["remoteLoginPortPublicAccess"], "Disabled");
}

#[test]
fn booleans_in_string_fields_are_rejected_as_the_sdk_rejects_them() {
    let e = errors(
        "e.yml",
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\nimage: i\ndescription: on\n",
    );
    assert_eq!(
        positions(&e),
        [(
            4,
            14,
            "`description` must be a string, found a boolean".to_owned()
        )]
    );
    let e = errors(
        "j.yml",
        "name: j\ntype: command\ncompute: azureml:c\ncommand: echo\nenvironment: azureml:e:1\ntags: {t: no, u: 'no'}\n",
    );
    assert_eq!(
        positions(&e),
        [(
            6,
            11,
            "`tags.t` must be a string, found a boolean".to_owned()
        )]
    );
}

#[test]
fn conda_files_are_read_as_pyyaml_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("conda.yml"),
        "name: y\ndependencies:\n  - n\n  - on\n",
    )
    .unwrap();
    let text = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: e\nimage: i\nconda_file: conda.yml\n";
    let t = translate_source(&dir.path().join("e.yml"), text, &ctx()).unwrap();
    assert_eq!(
        t.body["properties"]["condaFile"],
        "dependencies:\n- n\n- true\nname: y\n"
    );
}
