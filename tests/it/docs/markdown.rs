//! Reading Markdown as mdBook and GitHub do (pulldown-cmark, mdBook's extensions): the files
//! of the README and the book, their code blocks, their links and their headings' ids.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::support::repo;

/// The book's source folder, `docs/src`.
pub fn book_src() -> PathBuf {
    repo().join("docs/src")
}

/// `README.md` and every Markdown file under `docs/src`, sorted.
pub fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    collect_md(&book_src(), &mut files);
    files.sort();
    files
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("docs/src exists") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect_md(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// A file's path relative to the repository, for messages.
pub fn shown(path: &Path) -> String {
    path.strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The extensions mdBook enables.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// A fenced or indented code block.
pub struct CodeBlock {
    /// The info string (`sh`, `console`, `yaml`, ...); empty when there is none.
    pub info: String,
    /// The block's text.
    pub text: String,
    /// The line of the block's first text line in the file.
    pub line: usize,
}

/// Every code block of a Markdown text.
pub fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let (info, first) = match kind {
                    CodeBlockKind::Fenced(info) => (info.to_string(), 1),
                    CodeBlockKind::Indented => (String::new(), 0),
                };
                current = Some(CodeBlock {
                    info,
                    text: String::new(),
                    line: line_of(text, range.start) + first,
                });
            }
            Event::Text(t) => {
                if let Some(block) = current.as_mut() {
                    block.text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// A link or image destination and its line.
pub struct Link {
    pub dest: String,
    pub line: usize,
}

/// Every link and image of a Markdown text (reference links resolved; code is not parsed).
pub fn links(text: &str) -> Vec<Link> {
    Parser::new_ext(text, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some(Link {
                dest: dest_url.to_string(),
                line: line_of(text, range.start),
            }),
            _ => None,
        })
        .collect()
}

/// The ids mdBook gives a Markdown text's headings, in order (the same as GitHub's for the
/// headings this project writes): an explicit `{#id}`, else the text lower-cased with
/// letters, digits, `_` and `-` kept, whitespace as `-` and everything else dropped; a repeated
/// id gets `-1`, `-2`, ...
pub fn heading_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut used = HashSet::new();
    let mut current: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                current = Some((id.map(|i| i.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, buf)) = current.as_mut() {
                    buf.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((explicit, text)) = current.take() {
                    let base = explicit.unwrap_or_else(|| id_from_content(&text));
                    out.push(unique_id(&base, &mut used));
                }
            }
            _ => {}
        }
    }
    out
}

/// mdBook's `id_from_content` (mdbook-html 0.5, `utils.rs`).
pub fn id_from_content(content: &str) -> String {
    content
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|ch| {
            if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                Some(ch)
            } else if ch.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

fn unique_id(id: &str, used: &mut HashSet<String>) -> String {
    if used.insert(id.to_owned()) {
        return id.to_owned();
    }
    (1..)
        .map(|n| format!("{id}-{n}"))
        .find(|candidate| used.insert(candidate.clone()))
        .expect("a free id")
}

#[test]
fn heading_ids_follow_mdbook() {
    let ids = heading_ids(
        "# `amlab serve`\n## Latency against `amlab serve` (`cargo bench --bench latency`)\n\
         ## Notes\n## Notes\n## Über {#custom}\n",
    );
    assert_eq!(
        ids,
        [
            "amlab-serve",
            "latency-against-amlab-serve-cargo-bench---bench-latency",
            "notes",
            "notes-1",
            "custom"
        ]
    );
}
