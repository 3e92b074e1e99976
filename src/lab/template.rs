//! `${...}` templating: parsing placeholders (`${name}`, `${subscription}`, `${random:N}`,
//! and the `$${` escape for a literal `${`) and rendering with a map back to source positions.

/// What a placeholder refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ref {
    /// A lab parameter.
    Param(String),
    /// The subscription id.
    Subscription,
    /// N random lower-case letters and digits.
    Random(usize),
}

/// The longest `${random:N}`.
pub(crate) const MAX_RANDOM: usize = 32;

/// The longest templated string (a parameter value, a query, a body string) after
/// substitution: parameters that double each other 40 times stop here, not at 2^40 bytes.
pub(crate) const MAX_EXPANDED_BYTES: usize = 64 * 1024;

/// The most bytes substitution may produce over a whole lab (its strings and specs).
pub(crate) const MAX_TOTAL_EXPANDED_BYTES: usize = 32 * 1024 * 1024;

/// Why a rendered string is refused: it is longer than [`MAX_EXPANDED_BYTES`].
pub(crate) fn too_long(len: usize) -> Option<String> {
    (len > MAX_EXPANDED_BYTES).then(|| {
        format!(
            "after substitution this is longer than {MAX_EXPANDED_BYTES} bytes (parameters expanding into each other?)"
        )
    })
}

/// A placeholder and its byte range (`${` to `}` inclusive) in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) reference: Ref,
}

impl Placeholder {
    /// The byte range of the name inside `${...}`.
    pub(crate) fn name_range(&self) -> (usize, usize) {
        (self.start + 2, self.end - self.start - 3)
    }
}

/// A malformed placeholder, with its byte range in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub(crate) start: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
}

#[derive(Debug, Clone)]
enum Segment {
    Text { start: usize, end: usize },
    Escape { at: usize },
    Var(Placeholder),
}

/// A parsed template string.
#[derive(Debug, Clone)]
pub(crate) struct Template<'a> {
    src: &'a str,
    segments: Vec<Segment>,
}

/// A rendered template, with where each part of the output came from.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) text: String,
    /// (output offset, source offset, whether the part is copied text) per part, in order.
    map: Vec<(usize, usize, bool)>,
}

impl Rendered {
    /// The template position that output byte `i` came from.
    pub(crate) fn source_pos(&self, i: usize) -> usize {
        match self.map.iter().rev().find(|(out, _, _)| *out <= i) {
            Some((out, src, true)) => src + (i - out),
            Some((_, src, false)) => *src,
            None => 0,
        }
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn parse_ref(inner: &str) -> Result<Ref, String> {
    if inner == "subscription" {
        return Ok(Ref::Subscription);
    }
    if let Some(n) = inner.strip_prefix("random:") {
        return match n.parse::<usize>() {
            Ok(n) if (1..=MAX_RANDOM).contains(&n) => Ok(Ref::Random(n)),
            _ => Err(format!(
                "`${{random:N}}` needs a length N from 1 to {MAX_RANDOM}, not `{n}`"
            )),
        };
    }
    if is_name(inner) {
        Ok(Ref::Param(inner.to_owned()))
    } else if inner.is_empty() {
        Err("empty placeholder `${}`".to_owned())
    } else {
        Err(format!(
            "`${{{inner}}}` is not a parameter name (letters, digits, `_` and `-`)"
        ))
    }
}

impl<'a> Template<'a> {
    /// Parses `src`; fails at the first malformed placeholder.
    pub(crate) fn parse(src: &'a str) -> Result<Self, TemplateError> {
        let mut segments = Vec::new();
        let bytes = src.as_bytes();
        let mut i = 0;
        let mut text_start = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(b"$${") {
                if text_start < i {
                    segments.push(Segment::Text {
                        start: text_start,
                        end: i,
                    });
                }
                segments.push(Segment::Escape { at: i });
                i += 3;
                text_start = i;
            } else if bytes[i..].starts_with(b"${") {
                if text_start < i {
                    segments.push(Segment::Text {
                        start: text_start,
                        end: i,
                    });
                }
                let Some(close) = src[i..].find('}') else {
                    return Err(TemplateError {
                        start: i,
                        len: src.len() - i,
                        message: "unclosed `${`: add `}` (or write `$${` for a literal `${`)"
                            .to_owned(),
                    });
                };
                let end = i + close + 1;
                let inner = &src[i + 2..end - 1];
                let reference = parse_ref(inner).map_err(|message| TemplateError {
                    start: i,
                    len: end - i,
                    message,
                })?;
                segments.push(Segment::Var(Placeholder {
                    start: i,
                    end,
                    reference,
                }));
                i = end;
                text_start = i;
            } else {
                i += 1;
            }
        }
        if text_start < bytes.len() {
            segments.push(Segment::Text {
                start: text_start,
                end: bytes.len(),
            });
        }
        Ok(Template { src, segments })
    }

    /// The placeholders in order.
    pub(crate) fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Var(p) => Some(p),
            _ => None,
        })
    }

    /// Whether the template is plain text: no placeholder and no escape.
    pub(crate) fn is_literal(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Text { .. }))
    }

    /// Renders, asking `value` for each placeholder.
    pub(crate) fn render<E>(
        &self,
        mut value: impl FnMut(&Placeholder) -> Result<String, E>,
    ) -> Result<Rendered, E> {
        self.render_after(|p, _| value(p))
    }

    /// Renders, asking `value` for each placeholder with the text rendered before it (for
    /// escaping a value for the context it stands in).
    pub(crate) fn render_after<E>(
        &self,
        mut value: impl FnMut(&Placeholder, &str) -> Result<String, E>,
    ) -> Result<Rendered, E> {
        let mut text = String::with_capacity(self.src.len());
        let mut map = Vec::with_capacity(self.segments.len());
        for seg in &self.segments {
            match seg {
                Segment::Text { start, end } => {
                    map.push((text.len(), *start, true));
                    text.push_str(&self.src[*start..*end]);
                }
                Segment::Escape { at } => {
                    map.push((text.len(), at + 1, true));
                    text.push_str("${");
                }
                Segment::Var(p) => {
                    map.push((text.len(), p.start, false));
                    let v = value(p, &text)?;
                    text.push_str(&v);
                }
            }
        }
        Ok(Rendered { text, map })
    }

    /// Renders every placeholder as `_` repeated to its own length, so that positions in the
    /// output match positions in the template (for compiling queries and regexes at lint time).
    pub(crate) fn render_dummy(&self) -> Rendered {
        let rendered: Result<Rendered, std::convert::Infallible> =
            self.render(|p| Ok("_".repeat(p.end - p.start)));
        match rendered {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<Ref> {
        Template::parse(s)
            .map(|t| t.placeholders().map(|p| p.reference.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn parses_placeholders_and_escapes() {
        assert_eq!(
            names("rg-${suffix}/${subscription}/${random:6}"),
            vec![
                Ref::Param("suffix".into()),
                Ref::Subscription,
                Ref::Random(6)
            ]
        );
        assert!(names("$${literal}").is_empty());
        let t = Template::parse("a$${b}${x}c").map_err(|e| e.message);
        let r = t.map(|t| t.render(|_| Ok::<_, ()>("X".into())).map(|r| r.text));
        assert_eq!(r, Ok(Ok("a${b}Xc".to_owned())));
    }

    #[test]
    fn rejects_malformed_placeholders() {
        let e = Template::parse("ab${x").err();
        assert_eq!(e.map(|e| (e.start, e.len)), Some((2, 3)));
        assert!(Template::parse("${random:0}").is_err());
        assert!(Template::parse("${random:33}").is_err());
        assert!(Template::parse("${a b}").is_err());
        assert!(Template::parse("${}").is_err());
    }

    #[test]
    fn maps_output_back_to_source() {
        let t = Template::parse("ab$${c${x}d").map_err(|e| e.message);
        let r = t.map(|t| t.render(|_| Ok::<_, ()>("LONG".into())));
        let Ok(Ok(r)) = r else {
            panic!("render failed")
        };
        assert_eq!(r.text, "ab${cLONGd");
        assert_eq!(r.source_pos(1), 1);
        assert_eq!(r.source_pos(2), 3); // the `$` of `${` comes from the escape's second `$`
        assert_eq!(r.source_pos(6), 6); // inside the substituted value: the placeholder start
        assert_eq!(r.source_pos(9), 10);
        let d = Template::parse("a ${xy} b").map(|t| t.render_dummy().text);
        assert_eq!(d.ok().as_deref(), Some("a _____ b"));
    }
}
