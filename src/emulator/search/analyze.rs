//! `POST /indexes/{name}/search.analyze` for the predefined analyzers whose output the emulator
//! computes exactly (Lucene's definitions, as "Analyzers for text processing" lists them):
//!
//! - `keyword`: the whole text, one token;
//! - `whitespace`: split at whitespace (Java's `Character.isWhitespace`), tokens of at most 255
//!   characters;
//! - `simple`: split at non-letters, lower-cased; `stop`: the same without English stop words
//!   (positions keep the gaps); both for ASCII text only;
//! - `standard.lucene` (standard tokenizer, lower case, no stop words): for text made of ASCII
//!   letters, digits, whitespace and punctuation that never joins words in Unicode word
//!   segmentation (`! " ? ( ) [ ] { } - / \ * + = < > | ~ ^ % $ # @ &` and backquote), where the
//!   tokens are exactly the runs of letters and digits.
//!
//! Any other analyzer, a tokenizer or filters, or text outside those sets is refused with a 501
//! that says so: the emulator never answers tokens it did not compute. Offsets count UTF-16 code
//! units, as the service's do.

use serde_json::{Value, json};

use super::error;
use crate::arm::transport::HttpResponse;

/// The longest text analysed (characters).
pub(crate) const MAX_TEXT: usize = 32_768;
/// Lucene's default maximum token length.
const MAX_TOKEN: usize = 255;
/// Lucene's English stop words (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];
/// ASCII punctuation outside every joining class of Unicode word segmentation (UAX #29).
const BREAKING: &str = "!\"?()[]{}-/\\*+=<>|~^%$#@&`";

/// One token: text, start and end (UTF-16 units), position.
type Token = (String, usize, usize, usize);

fn not_computed(why: &str) -> HttpResponse {
    error(
        501,
        "NotImplemented",
        format!(
            "The emulator does not compute this analysis: {why}. It analyses with keyword, whitespace, simple, stop and (for ASCII text without word-joining punctuation) standard.lucene, and never answers tokens it did not compute."
        ),
    )
}

/// Java's `Character.isWhitespace`.
fn java_whitespace(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\u{1c}'..='\u{1f}' | ' ' | '\u{1680}' | '\u{2000}'..='\u{2006}'
        | '\u{2008}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{205f}' | '\u{3000}')
}

/// The runs of characters for which `keep` holds, split at `MAX_TOKEN` characters, with
/// their UTF-16 offsets; `lower` lower-cases them.
fn runs(text: &str, keep: impl Fn(char) -> bool, lower: bool) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, usize, usize)> = None;
    let mut offset = 0;
    for c in text.chars() {
        let width = c.len_utf16();
        if keep(c) {
            let (s, _, end) = cur.get_or_insert_with(|| (String::new(), offset, offset));
            s.push(if lower { c.to_ascii_lowercase() } else { c });
            *end = offset + width;
            if s.chars().count() == MAX_TOKEN {
                out.extend(cur.take());
            }
        } else {
            out.extend(cur.take());
        }
        offset += width;
    }
    out.extend(cur);
    out
}

/// The tokens of `text` by predefined analyzer `analyzer`, or why the emulator does not
/// compute them.
fn tokens(analyzer: &str, text: &str) -> Result<Vec<Token>, String> {
    let numbered = |v: Vec<(String, usize, usize)>| {
        v.into_iter()
            .enumerate()
            .map(|(i, (t, s, e))| (t, s, e, i))
            .collect::<Vec<Token>>()
    };
    let ascii = || {
        text.is_ascii()
            .then_some(())
            .ok_or_else(|| format!("'{analyzer}' is computed for ASCII text only"))
    };
    match analyzer {
        "keyword" => Ok(vec![(text.to_owned(), 0, text.encode_utf16().count(), 0)]),
        "whitespace" => Ok(numbered(runs(text, |c| !java_whitespace(c), false))),
        "simple" => {
            ascii()?;
            Ok(numbered(runs(text, |c| c.is_ascii_alphabetic(), true)))
        }
        "stop" => {
            ascii()?;
            let all = numbered(runs(text, |c| c.is_ascii_alphabetic(), true));
            Ok(all
                .into_iter()
                .filter(|t| !STOP_WORDS.contains(&t.0.as_str()))
                .collect())
        }
        "standard.lucene" => {
            let joins = text.chars().find(|c| {
                !(c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || BREAKING.contains(*c))
            });
            if let Some(c) = joins {
                return Err(format!(
                    "the text has '{c}', which Unicode word segmentation may join to a word; the emulator does not implement it"
                ));
            }
            Ok(numbered(runs(text, |c| c.is_ascii_alphanumeric(), true)))
        }
        other => Err(format!(
            "the analyzer '{other}' is not one the emulator computes"
        )),
    }
}

/// Answers an analyze request body.
pub(crate) fn answer(body: Option<&Value>) -> HttpResponse {
    let body = body.cloned().unwrap_or(Value::Null);
    let Some(text) = body.get("text").and_then(Value::as_str) else {
        return error(400, "", "The request must have 'text'.");
    };
    if text.chars().count() > MAX_TEXT {
        return error(
            400,
            "",
            format!("The emulator analyses at most {MAX_TEXT} characters."),
        );
    }
    if ["tokenizer", "normalizer", "tokenFilters", "charFilters"]
        .iter()
        .any(|k| {
            body.get(*k)
                .is_some_and(|v| !v.is_null() && v != &json!([]))
        })
    {
        return not_computed("tokenizers, normalizers and filters are not implemented");
    }
    let analyzer = body
        .get("analyzer")
        .and_then(Value::as_str)
        .unwrap_or("standard.lucene");
    match tokens(analyzer, text) {
        Ok(t) => super::ok(
            200,
            json!({"tokens": t.into_iter().map(|(token, s, e, p)| json!({"token": token, "startOffset": s, "endOffset": e, "position": p})).collect::<Vec<_>>()}),
        ),
        Err(why) => not_computed(&why),
    }
}
