//! Bounds on a JMESPath query, checked before the `jmespath` crate parses it (its parser and
//! interpreter recurse once per nesting level, and a 20,000-deep query overflows the stack) and
//! on what evaluating it may build (`[@,@]` nested ten deep shares one document 2^10 times,
//! which is cheap until the result is copied out as JSON).
//!
//! - length: at most [`MAX_QUERY_BYTES`];
//! - depth: at most [`MAX_QUERY_DEPTH`], counted over-generously outside literals as the sum,
//!   over the open brackets, of one plus the operator characters since the last `,` at that
//!   level (every nesting the parser can make needs one of them);
//! - fan-out: the product of the element counts of the multi-selects (`[a, b]`, `{a: x}`)
//!   nested around any point, at most [`MAX_FANOUT`];
//! - result: at most [`MAX_RESULT_NODES`] JSON values once copied out.

/// The longest query text.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// The deepest query nesting (the parser and interpreter overflow a 2 MiB thread stack near 200).
pub const MAX_QUERY_DEPTH: usize = 100;
/// The largest product of nested multi-select sizes.
pub const MAX_FANOUT: u64 = 256;
/// The most JSON values (arrays, objects and scalars) a query's result may hold.
pub const MAX_RESULT_NODES: usize = 1_000_000;

/// A limit a query text exceeds: the byte offset where, and the message.
pub(crate) fn check_text(text: &str) -> Result<(), (usize, String)> {
    let mut frames = vec![Frame::new(' ')];
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => skip_literal(&mut chars, c),
            '[' | '(' | '{' => frames.push(Frame::new(c)),
            ']' | ')' | '}' if frames.len() > 1 => {
                let f = frames.pop().unwrap_or(Frame::new(' '));
                let own = if f.bracket == '(' { 1 } else { f.elements };
                let fan = own.saturating_mul(f.inner);
                if fan > MAX_FANOUT {
                    return Err((
                        i,
                        format!(
                            "nested multi-selects (`[a, b]`, `{{a: x}}`) copy values more than {MAX_FANOUT} times"
                        ),
                    ));
                }
                if let Some(parent) = frames.last_mut() {
                    parent.inner = parent.inner.max(fan);
                    parent.operators += 1;
                }
            }
            ',' => {
                if let Some(f) = frames.last_mut() {
                    f.operators = 0;
                    f.elements += 1;
                }
            }
            '.' | '|' | '&' | '!' | '*' | '?' | '=' | '<' | '>' | ':' | '@' => {
                if let Some(f) = frames.last_mut() {
                    f.operators += 1;
                }
            }
            _ => {}
        }
        let depth: usize = frames.iter().map(|f| f.operators + 1).sum();
        if depth > MAX_QUERY_DEPTH {
            return Err((
                i,
                format!("query nested deeper than {MAX_QUERY_DEPTH} levels"),
            ));
        }
    }
    if text.len() > MAX_QUERY_BYTES {
        return Err((
            MAX_QUERY_BYTES,
            format!("query longer than {MAX_QUERY_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// An open bracket while scanning a query.
struct Frame {
    bracket: char,
    /// Operator characters since the last `,` at this level.
    operators: usize,
    /// Elements (commas + 1).
    elements: u64,
    /// The largest fan-out of a bracket closed inside.
    inner: u64,
}

impl Frame {
    fn new(bracket: char) -> Self {
        Frame {
            bracket,
            operators: 0,
            elements: 1,
            inner: 1,
        }
    }
}

/// Skips a literal opened by `quote`, as the `jmespath` lexer does (`\` takes the next char).
fn skip_literal(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, quote: char) {
    while let Some((_, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return;
        }
    }
}

/// Whether `v`, copied out as a tree, holds at most `budget` values (stops counting there, so
/// a shared document repeated 2^40 times costs no more than the budget).
pub(crate) fn within(v: &jmespath::Variable, budget: &mut usize) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match v {
        jmespath::Variable::Array(a) => a.iter().all(|x| within(x, budget)),
        jmespath::Variable::Object(o) => o.values().all(|x| within(x, budget)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_long_and_fanned_out_queries_are_refused() {
        assert!(check_text(&format!("{}a{}", "(".repeat(20_000), ")".repeat(20_000))).is_err());
        assert!(check_text(&"a.".repeat(150)).is_err());
        assert!(check_text(&"a || ".repeat(150)).is_err());
        assert!(check_text(&"x".repeat(MAX_QUERY_BYTES + 1)).is_err());
        let mut fan = "@".to_owned();
        for _ in 0..10 {
            fan = format!("[{fan},{fan},{fan},{fan},{fan},{fan},{fan},{fan},{fan},{fan}]");
            if fan.len() > 4000 {
                break;
            }
        }
        assert!(check_text(&fan).is_err());
        let nested = (0..10).fold("@".to_owned(), |q, _| format!("[{q},@]"));
        assert!(check_text(&nested).is_err(), "2^10 copies");
        // Literals do not count, and the lab queries people write pass.
        assert!(check_text(&format!("'{}'", "(".repeat(5000))).is_ok());
        assert!(check_text("length(value[?properties.principalId=='x' && (ends_with(properties.roleDefinitionId, 'a') || ends_with(properties.roleDefinitionId, 'b'))])").is_ok());
        assert!(check_text("[name, location, properties.provisioningState, tags.env]").is_ok());
        assert!(check_text("{a: [x, y], b: [z, w]}").is_ok());
    }
}
