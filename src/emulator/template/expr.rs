//! The template expression language: `[func(arg, 'string', 1).prop[0]]` parsed into [`Expr`].
//!
//! Grammar (as ARM's): an expression is a function call, a single-quoted string (`''` escapes a
//! quote), an integer, followed by any number of `.property` or `[index]` accessors. Nesting is
//! bounded by [`super::Limits::max_depth`].

use super::TemplateError;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A string literal.
    Str(String),
    /// An integer literal.
    Int(i64),
    /// A function call: name (as written) and arguments.
    Call(String, Vec<Expr>),
    /// `.name` on a value.
    Prop(Box<Expr>, String),
    /// `[index]` on a value.
    Index(Box<Expr>, Box<Expr>),
}

/// Whether a JSON string is an expression (`[...]`, not the `[[` escape) and its inside.
pub(crate) fn expression_text(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?.strip_suffix(']')?;
    (!s.starts_with("[[")).then_some(inner)
}

/// The literal a `[[...]` string stands for (one leading `[` dropped).
pub(crate) fn unescape_literal(s: &str) -> &str {
    if s.starts_with("[[") { &s[1..] } else { s }
}

/// Parses the inside of `[...]`.
pub(crate) fn parse(text: &str, max_depth: usize) -> Result<Expr, TemplateError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        max_depth,
        text,
    };
    let e = p.expr(0)?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.error("unexpected text after the expression"));
    }
    Ok(e)
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    max_depth: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> TemplateError {
        TemplateError::invalid(format!(
            "The language expression '{}' is not valid: {what} at position {}.",
            self.text, self.pos
        ))
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos).copied()
    }

    fn expect(&mut self, c: char) -> Result<(), TemplateError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{c}'")))
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, TemplateError> {
        if depth > self.max_depth {
            return Err(TemplateError::limit(format!(
                "The language expression '{}' nests deeper than {} levels.",
                self.text, self.max_depth
            )));
        }
        let mut e = self.primary(depth)?;
        loop {
            match self.peek() {
                Some('.') => {
                    self.pos += 1;
                    self.skip_ws();
                    let name = self.ident();
                    if name.is_empty() {
                        return Err(self.error("expected a property name after '.'"));
                    }
                    e = Expr::Prop(Box::new(e), name);
                }
                Some('[') => {
                    self.pos += 1;
                    let index = self.expr(depth + 1)?;
                    self.expect(']')?;
                    e = Expr::Index(Box::new(e), Box::new(index));
                }
                _ => return Ok(e),
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, TemplateError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some(c) if c.is_ascii_digit() || c == '-' => self.int(),
            Some(c) if c.is_alphabetic() || c == '_' => {
                let name = self.ident();
                if self.peek() != Some('(') {
                    // Bare `true`, `false` and `null` read as the functions of those names.
                    return match name.to_ascii_lowercase().as_str() {
                        "true" | "false" | "null" => Ok(Expr::Call(name, Vec::new())),
                        _ => Err(self.error("expected '('")),
                    };
                }
                self.pos += 1;
                let args = self.args(depth)?;
                Ok(Expr::Call(name, args))
            }
            _ => Err(self.error("expected a function call, a string or a number")),
        }
    }

    fn args(&mut self, depth: usize) -> Result<Vec<Expr>, TemplateError> {
        let mut args = Vec::new();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expr(depth + 1)?);
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => return Err(self.error("expected ',' or ')'")),
            }
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn string(&mut self) -> Result<Expr, TemplateError> {
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.chars.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some('\'') if self.chars.get(self.pos + 1) == Some(&'\'') => {
                    s.push('\'');
                    self.pos += 2;
                }
                Some('\'') => {
                    self.pos += 1;
                    return Ok(Expr::Str(s));
                }
                Some(c) => {
                    s.push(*c);
                    self.pos += 1;
                }
            }
        }
    }

    fn int(&mut self) -> Result<Expr, TemplateError> {
        let start = self.pos;
        if self.chars.get(self.pos) == Some(&'-') {
            self.pos += 1;
        }
        while self.chars.get(self.pos).is_some_and(char::is_ascii_digit) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        text.parse()
            .map(Expr::Int)
            .map_err(|_| self.error("expected an integer"))
    }
}
