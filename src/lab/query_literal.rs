//! Parameter values in JMESPath queries enter only as literals, never as query text.
//!
//! A value (which a learner may set in `vars.yaml`) is escaped for the lexical context its
//! `${...}` stands in, found by scanning the query text before it:
//!
//! - inside a raw string `'...'`: `'` becomes `\'` (a value holding `\` is refused: the
//!   `jmespath` crate keeps `\\` as two backslashes, so no escaping gives the value back);
//! - inside a quoted identifier `"..."` or a JSON string within a JSON literal `` `"..."` ``:
//!   JSON string escaping (and `` ` `` as `` \` `` in a JSON literal);
//! - bare (outside any literal): the value as a JSON string literal `` `"..."` ``, so
//!   `name == ${x}` compares with the string; where no literal can stand (`a.${x}`) the query
//!   does not compile and lint says so;
//! - inside a JSON literal but outside a JSON string (`` `${n}` ``): refused, as the value would
//!   be JSON text; write `` `"${n}"` `` or `to_number('${n}')`.

/// Where a `${...}` stands in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Outside every literal.
    Bare,
    /// Inside `'...'`.
    RawString,
    /// Inside `"..."` (a quoted identifier).
    QuotedIdentifier,
    /// Inside `` `...` ``; `true` when inside a JSON string there.
    Json(bool),
}

/// The context at the end of `text` (the query as rendered so far), following the `jmespath`
/// lexer: a `\` inside a literal always takes the next character with it.
pub(crate) fn context_after(text: &str) -> Context {
    let mut ctx = Context::Bare;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        ctx = match (ctx, c) {
            (Context::Bare, '\'') => Context::RawString,
            (Context::Bare, '"') => Context::QuotedIdentifier,
            (Context::Bare, '`') => Context::Json(false),
            (Context::Bare, _) => Context::Bare,
            (_, '\\') => {
                chars.next();
                ctx
            }
            (Context::RawString, '\'') | (Context::QuotedIdentifier, '"') => Context::Bare,
            (Context::Json(_), '`') => Context::Bare,
            (Context::Json(s), '"') => Context::Json(!s),
            (other, _) => other,
        };
    }
    ctx
}

/// `value` as JSON string content (without the quotes).
fn json_content(value: &str) -> String {
    let quoted = serde_json::Value::String(value.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// `value` escaped for `ctx`; `name` names the parameter in the error.
pub(crate) fn escape(ctx: Context, value: &str, name: &str) -> Result<String, String> {
    match ctx {
        Context::RawString if value.contains('\\') => Err(format!(
            "the value of `{name}` holds a backslash, which a JMESPath raw string '...' cannot hold; \
             the lab can write the placeholder as a JSON literal: `\"${{{name}}}\"` in backticks"
        )),
        Context::RawString => Ok(value.replace('\'', "\\'")),
        Context::QuotedIdentifier => Ok(json_content(value)),
        Context::Json(true) => Ok(json_content(value).replace('`', "\\`")),
        Context::Bare => Ok(format!("`\"{}\"`", json_content(value).replace('`', "\\`"))),
        Context::Json(false) => Err(not_in_json(name)),
    }
}

/// Why `${name}` cannot stand bare inside a JSON literal.
pub(crate) fn not_in_json(name: &str) -> String {
    format!(
        "`${{{name}}}` stands inside a JSON literal but outside a JSON string, where its value \
         would be JSON text: write it inside a string (`\"${{{name}}}\"` in backticks) or use \
         to_number('${{{name}}}')"
    )
}

/// A stand-in of exactly `len` bytes (the placeholder's length, at least 4) with the lexical
/// role a value has in `ctx`, for compiling a query at lint time; `None` in a JSON literal
/// outside a string.
pub(crate) fn dummy(ctx: Context, len: usize) -> Option<String> {
    match ctx {
        Context::Bare => Some(format!("`\"{}\"`", "_".repeat(len.saturating_sub(4)))),
        Context::Json(false) => None,
        _ => Some("_".repeat(len)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::query::Query;
    use serde_json::json;

    /// Renders `pre ${v} post` with `v` escaped for its context and evaluates it on `doc`.
    fn eval(pre: &str, v: &str, post: &str, doc: &serde_json::Value) -> Option<serde_json::Value> {
        let lit = escape(context_after(pre), v, "v").ok()?;
        Query::compile(&format!("{pre}{lit}{post}"))
            .ok()?
            .eval(doc)
            .ok()
    }

    #[test]
    fn finds_the_context() {
        assert_eq!(context_after("a == '"), Context::RawString);
        assert_eq!(context_after("a == 'x\\'"), Context::RawString);
        assert_eq!(context_after("a == 'x' && "), Context::Bare);
        assert_eq!(context_after("\"a\\\"b"), Context::QuotedIdentifier);
        assert_eq!(context_after("`[\"a\", \""), Context::Json(true));
        assert_eq!(context_after("`[\"a\", "), Context::Json(false));
        assert_eq!(context_after("`\"a\\`b"), Context::Json(true));
    }

    #[test]
    fn hostile_values_stay_literals() {
        let doc = json!({"value": [{"p": "a"}, {"p": "b'c"}, {"p": "x`\"\\y"}]});
        let injection = "x'] || `[1]` || value[?'x";
        let q = |v: &str| eval("length(value[?p=='", v, "'])", &doc);
        assert_eq!(q(injection), Some(json!(0)));
        assert_eq!(q("a"), Some(json!(1)));
        assert_eq!(q("b'c"), Some(json!(1)));
        assert_eq!(q("x\\"), None, "a backslash is refused in a raw string");
        let bare = |v: &str| eval("length(value[?p==", v, "])", &doc);
        for v in ["b'c", "x`\"\\y", injection, "a` || `true"] {
            let expected = usize::from(v != injection && v != "a` || `true");
            assert_eq!(bare(v), Some(json!(expected)), "{v}");
        }
        let json_string = |v: &str| eval("length(value[?p==`\"", v, "\"`])", &doc);
        assert_eq!(json_string("x`\"\\y"), Some(json!(1)));
        assert_eq!(json_string("\"` || `true` || `\""), Some(json!(0)));
        let ident = |v: &str| eval("value[0].\"", v, "\"", &doc);
        assert_eq!(ident("p"), Some(json!("a")));
        assert_eq!(ident("p\" || `1` || \"p"), Some(json!(null)));
        assert!(escape(Context::Json(false), "1", "n").is_err());
    }

    #[test]
    fn dummies_keep_the_length() {
        for ctx in [Context::Bare, Context::RawString, Context::Json(true)] {
            assert_eq!(dummy(ctx, 7).map(|d| d.len()), Some(7));
        }
        assert_eq!(dummy(Context::Json(false), 7), None);
    }
}
