//! Unit tests of the template language: each function, parameters, variables, conditions,
//! copy loops, dependsOn ordering and the errors ARM names.

use serde_json::{Value, json};

use super::eval::{Evaluator, Frame};
use super::{Context, Limits, Plan, TemplateError};

fn ctx() -> Context {
    Context {
        subscription: "sub1".into(),
        resource_group: "rg1".into(),
        location: "eastus".into(),
        deployment: "dep1".into(),
        tenant: "tenant1".into(),
    }
}

fn evaluator(params: Value, variables: Value) -> Evaluator {
    let p = params.as_object().cloned().unwrap_or_default();
    let v = variables.as_object().cloned().unwrap_or_default();
    Evaluator::new(v, p, ctx(), Limits::default())
}

fn eval(s: &str) -> Result<Value, TemplateError> {
    evaluator(
        json!({"name": "Ws1", "n": 3, "flag": true, "list": [1, 2], "obj": {"a": 1}}),
        json!({"v": "[concat('x', parameters('name'))]"}),
    )
    .string(s, Frame::plain())
}

fn ok(s: &str) -> Value {
    match eval(s) {
        Ok(v) => v,
        Err(e) => panic!("{s}: {e:?}"),
    }
}

fn err(s: &str) -> String {
    match eval(s) {
        Ok(v) => panic!("{s} evaluated to {v}"),
        Err(e) => e.message,
    }
}

#[test]
fn string_functions() {
    assert_eq!(ok("[concat('a', 'b', 1, true)]"), json!("ab1True"));
    assert_eq!(ok("[format('{0}-{1}-{0}', 'a', 2)]"), json!("a-2-a"));
    assert_eq!(ok("[format('{{x}} {0}', 'y')]"), json!("{x} y"));
    assert_eq!(ok("[toLower(parameters('name'))]"), json!("ws1"));
    assert_eq!(ok("[toUpper('ab')]"), json!("AB"));
    assert_eq!(ok("[substring('abcdef', 1, 3)]"), json!("bcd"));
    assert_eq!(ok("[substring('abcdef', 2)]"), json!("cdef"));
    assert_eq!(ok("[replace('a-b-c', '-', '')]"), json!("abc"));
    assert_eq!(ok("[length('abc')]"), json!(3));
    assert_eq!(ok("[string(parameters('obj'))]"), json!("{\"a\":1}"));
    assert_eq!(
        ok("[split('a,b;c', createArray(',', ';'))]"),
        json!(["a", "b", "c"])
    );
    assert_eq!(ok("[trim('  a ')]"), json!("a"));
    assert_eq!(ok("[startsWith('Abc', 'a')]"), json!(true));
    assert_eq!(ok("[endsWith('Abc', 'BC')]"), json!(true));
    assert_eq!(ok("[indexOf('abcb', 'b')]"), json!(1));
    assert_eq!(ok("[lastIndexOf('abcb', 'b')]"), json!(3));
    assert_eq!(ok("[padLeft('7', 3, '0')]"), json!("007"));
    assert_eq!(ok("[base64ToString(base64('hé'))]"), json!("hé"));
    assert_eq!(ok("['it''s']"), json!("it's"));
    assert_eq!(ok("[[not an expression]"), json!("[not an expression]"));
    assert_eq!(ok("plain"), json!("plain"));
    assert!(err("[substring('abc', 2, 5)]").contains("within the string"));
}

#[test]
fn logical_and_comparison_functions() {
    assert_eq!(
        ok("[if(equals(parameters('n'), 3), 'yes', 'no')]"),
        json!("yes")
    );
    // Only the branch taken is evaluated.
    assert_eq!(ok("[if(true(), 'ok', nosuch())]"), json!("ok"));
    assert_eq!(
        ok("[and(parameters('flag'), not(false()), or(false(), true()))]"),
        json!(true)
    );
    assert_eq!(ok("[and(true(), 'false')]"), json!(false));
    assert_eq!(ok("[equals('a', 'A')]"), json!(false));
    assert_eq!(ok("[less(1, 2)]"), json!(true));
    assert_eq!(ok("[greaterOrEquals('b', 'a')]"), json!(true));
    assert!(err("[not('x')]").contains("Boolean"));
}

#[test]
fn collection_and_number_functions() {
    assert_eq!(ok("[empty('')]"), json!(true));
    assert_eq!(ok("[empty(parameters('list'))]"), json!(false));
    assert_eq!(ok("[empty(json('null'))]"), json!(true));
    assert_eq!(ok("[contains(parameters('list'), 2)]"), json!(true));
    assert_eq!(ok("[contains('abc', 'bc')]"), json!(true));
    assert_eq!(ok("[contains(parameters('obj'), 'A')]"), json!(true));
    assert_eq!(
        ok("[union(parameters('obj'), createObject('b', 2))]"),
        json!({"a": 1, "b": 2})
    );
    assert_eq!(
        ok("[union(parameters('list'), createArray(2, 3))]"),
        json!([1, 2, 3])
    );
    assert_eq!(
        ok("[intersection(parameters('list'), createArray(2, 3))]"),
        json!([2])
    );
    assert_eq!(
        ok("[concat(parameters('list'), createArray(3))]"),
        json!([1, 2, 3])
    );
    assert_eq!(ok("[json('{\"k\": [1]}').k[0]]"), json!(1));
    assert_eq!(ok("[array('x')]"), json!(["x"]));
    assert_eq!(ok("[first(parameters('list'))]"), json!(1));
    assert_eq!(ok("[last('abc')]"), json!("c"));
    assert_eq!(ok("[take(parameters('list'), 1)]"), json!([1]));
    assert_eq!(ok("[skip('abc', 1)]"), json!("bc"));
    assert_eq!(ok("[coalesce(json('null'), 'x')]"), json!("x"));
    assert_eq!(ok("[add(mul(2, 3), sub(div(9, 3), mod(5, 3)))]"), json!(7));
    assert_eq!(ok("[max(parameters('list'))]"), json!(2));
    assert_eq!(ok("[range(1, 3)]"), json!([1, 2, 3]));
    assert_eq!(ok("[int('42')]"), json!(42));
    assert_eq!(ok("[bool('true')]"), json!(true));
    assert_eq!(ok("[parameters('obj').a]"), json!(1));
    assert_eq!(ok("[parameters('obj')['a']]"), json!(1));
    assert!(err("[div(1, 0)]").contains("divided by zero"));
    assert!(err("[range(0, 100000)]").contains("'range'"));
    assert!(err("[parameters('list')[5]]").contains("out of bounds"));
}

#[test]
fn scope_functions() {
    assert_eq!(
        ok("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vn', 'sn')]"),
        json!(
            "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vn/subnets/sn"
        )
    );
    assert_eq!(
        ok("[resourceId('other', 'Microsoft.Storage/storageAccounts', 'st')]"),
        json!(
            "/subscriptions/sub1/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/st"
        )
    );
    assert_eq!(
        ok("[resourceId('s2', 'g2', 'Microsoft.Storage/storageAccounts', 'st')]"),
        json!("/subscriptions/s2/resourceGroups/g2/providers/Microsoft.Storage/storageAccounts/st")
    );
    assert_eq!(
        ok("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]"),
        json!("/subscriptions/sub1/providers/Microsoft.Authorization/roleDefinitions/r")
    );
    assert!(
        err("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vn')]")
            .contains("requires '2'")
    );
    assert_eq!(ok("[subscription().tenantId]"), json!("tenant1"));
    assert_eq!(ok("[resourceGroup().location]"), json!("eastus"));
    assert_eq!(ok("[deployment().name]"), json!("dep1"));
    assert_eq!(ok("[variables('v')]"), json!("xWs1"));
    let u = ok("[uniqueString('a', 'b')]");
    assert_eq!(u.as_str().map(str::len), Some(13));
    assert_eq!(u, ok("[uniqueString('a', 'b')]"));
    assert_ne!(u, ok("[uniqueString('a', 'c')]"));
    let g = ok("[guid('a')]");
    assert_eq!(g.as_str().map(|s| (s.len(), &s[14..15])), Some((36, "5")));
    assert!(err("[parameters('missing')]").contains("'missing' is not found"));
    assert!(err("[copyIndex()]").contains("copy loop"));
    assert!(err("[reference('nothing')]").contains("was not found"));
    assert!(err("[listKeys('x', '2023-01-01')]").contains("not supported"));
}

#[test]
fn variables_are_evaluated_once_and_cycles_are_refused() {
    let ev = evaluator(
        json!({}),
        json!({"a": "[variables('b')]", "b": "[variables('a')]"}),
    );
    let e = ev
        .string("[variables('a')]", Frame::plain())
        .map(|_| ())
        .unwrap_err();
    assert!(e.message.contains("circular reference"), "{e:?}");
    let mut ev = evaluator(
        json!({}),
        json!({"copy": [{"name": "disks", "count": 2, "input": {"lun": "[copyIndex('disks')]"}}]}),
    );
    ev.expand_variable_copies()
        .unwrap_or_else(|e| panic!("{e:?}"));
    let v = ev.string("[variables('disks')]", Frame::plain());
    assert_eq!(v, Ok(json!([{"lun": 0}, {"lun": 1}])));
}

#[test]
fn expressions_are_bounded() {
    let deep = format!("[{}'x'{}]", "concat(".repeat(100), ")".repeat(100));
    assert!(err(&deep).contains("nests deeper"));
    let limits = Limits {
        max_steps: 10,
        ..Limits::default()
    };
    let ev = Evaluator::new(Default::default(), Default::default(), ctx(), limits);
    let e = ev.string(
        "[concat('a','b','c','d','e','f','g','h','i','j','k')]",
        Frame::plain(),
    );
    assert!(e.is_err_and(|e| e.message.contains("evaluation steps")));
    assert!(err("[concat('a']").contains("not valid"));
    assert_eq!(ok("[concat('a'"), json!("[concat('a'"));
}

fn plan(resources: Value, params: Value) -> Result<Plan, TemplateError> {
    let t = json!({
        "$schema": "x",
        "parameters": {"env": {"type": "string", "defaultValue": "dev", "allowedValues": ["dev", "prod"]}, "count": {"type": "int", "defaultValue": 2, "maxValue": 5}},
        "resources": resources,
    });
    Plan::new(&t, &params, ctx(), Limits::default())
}

fn res(name: &str) -> Value {
    json!({"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-04-01", "name": name, "location": "eastus"})
}

fn names(p: &Plan) -> Vec<String> {
    p.order
        .iter()
        .map(|&i| p.instances[i].name.clone())
        .collect()
}

#[test]
fn parameters_are_checked_and_defaulted() {
    assert!(plan(json!([]), json!({})).is_ok());
    let e = plan(json!([]), json!({"env": {"value": "test"}}))
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(e.contains("allowed value(s): 'dev,prod'"), "{e}");
    let e = plan(json!([]), json!({"count": {"value": 9}}))
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(e.contains("maximum value of 5"), "{e}");
    let e = plan(json!([]), json!({"count": {"value": "2"}}))
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(e.contains("Expected a value of type 'int'"), "{e}");
    let e = plan(json!([]), json!({"other": {"value": 1}}))
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(
        e.contains("'other' in the parameters file are not valid"),
        "{e}"
    );
}

#[test]
fn conditions_copies_nested_resources_and_order() {
    let mut a = res("[concat('st', copyIndex())]");
    a["copy"] = json!({"name": "loop", "count": "[parameters('count')]"});
    let mut b = res("late");
    b["dependsOn"] = json!([
        "loop",
        "[resourceId('Microsoft.Storage/storageAccounts', 'skipped')]"
    ]);
    let mut skipped = res("skipped");
    skipped["condition"] = "[equals(parameters('env'), 'prod')]".into();
    let mut parent = res("parent1");
    parent["resources"] = json!([{"type": "blobServices", "apiVersion": "2023-04-01", "name": "default", "properties": {"x": "[copyIndex('nope')]"}}]);
    let p = plan(json!([b, a, skipped, parent]), json!({})).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        names(&p),
        ["st0", "st1", "late", "parent1", "parent1/default"]
    );
    let child = p
        .instances
        .iter()
        .find(|i| i.name == "parent1/default")
        .map(|i| i.id.clone());
    assert_eq!(
        child.as_deref(),
        Some(
            "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/parent1/blobServices/default"
        )
    );
    // A property copy and copyIndex in a body; an error names where it is.
    let mut c = res("withdisks");
    c["properties"] = json!({"copy": [{"name": "disks", "count": 2, "input": {"lun": "[copyIndex('disks', 10)]"}}]});
    let p = plan(json!([c]), json!({})).unwrap_or_else(|e| panic!("{e:?}"));
    let body = p.body(0, &|_| None).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        body["properties"]["disks"],
        json!([{"lun": 10}, {"lun": 11}])
    );
    assert!(body.get("apiVersion").is_none() && body["location"] == "eastus");
}

#[test]
fn dependency_errors_are_arms() {
    let mut a = res("a1");
    a["dependsOn"] = json!(["b1"]);
    let mut b = res("b1");
    b["dependsOn"] = json!(["a1"]);
    let e = plan(json!([a.clone(), b]), json!({}))
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(
        e.contains("Circular dependency detected on resource"),
        "{e}"
    );
    let e = plan(json!([a]), json!({}))
        .err()
        .map(|e| (e.code, e.message))
        .unwrap_or_default();
    assert_eq!(e.0, "InvalidTemplate");
    assert!(
        e.1.contains("'b1' is not defined in the template"),
        "{}",
        e.1
    );
    let mut big = res("[concat('s', copyIndex())]");
    big["copy"] = json!({"name": "l", "count": 801});
    let e = plan(json!([big]), json!({}))
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(e.contains("cannot exceed '800'"), "{e}");
    let e = plan(
        json!([{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "1", "name": "a/b"}]),
        json!({}),
    )
    .err()
    .map(|e| e.message)
    .unwrap_or_default();
    assert!(e.contains("incorrect segment lengths"), "{e}");
}
