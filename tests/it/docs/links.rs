//! Every relative link and `#anchor` of the README and the book resolves: the file exists, the
//! heading exists (by mdBook's ids), a book page links only inside `docs/src` (mdBook copies
//! nothing else), and every page is in `SUMMARY.md` (mdBook builds no other).

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use super::markdown::{book_src, doc_files, heading_ids, links, shown};

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A destination with a scheme (`https:`, `mailto:`) is not checked here.
fn is_external(dest: &str) -> bool {
    dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

/// The pages `SUMMARY.md` links to, as paths.
fn summary_pages() -> BTreeSet<PathBuf> {
    let summary = book_src().join("SUMMARY.md");
    let text = std::fs::read_to_string(&summary).expect("docs/src/SUMMARY.md");
    links(&text)
        .into_iter()
        .map(|l| normalize(&book_src().join(&l.dest)))
        .collect()
}

/// Problems with the links of `files` (paths on disk, texts given), by the rules above.
fn check_links(
    files: &[(PathBuf, String)],
    summary: &BTreeSet<PathBuf>,
    book: &Path,
) -> Vec<String> {
    let ids: HashMap<PathBuf, BTreeSet<String>> = files
        .iter()
        .map(|(path, text)| {
            let ids = heading_ids(text).into_iter().collect();
            (normalize(path), ids)
        })
        .collect();
    let mut problems = Vec::new();
    for (file, text) in files {
        let in_book = file.starts_with(book);
        for link in links(text) {
            if is_external(&link.dest) {
                continue;
            }
            let at = format!("{}:{}: `{}`", shown(file), link.line, link.dest);
            let (path, anchor) = match link.dest.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (link.dest.as_str(), None),
            };
            let target = if path.is_empty() {
                normalize(file)
            } else {
                normalize(&file.parent().expect("a folder").join(path))
            };
            if in_book && !target.starts_with(book) {
                problems.push(format!(
                    "{at}: leaves docs/src, which mdbook does not copy (use a full URL, or name the file in `code`)"
                ));
            } else if !target.exists() {
                problems.push(format!("{at}: no such file {}", shown(&target)));
            } else if target.starts_with(book)
                && target.extension().is_some_and(|e| e == "md")
                && !summary.contains(&target)
                && !target.ends_with("SUMMARY.md")
            {
                problems.push(format!(
                    "{at}: {} is not in SUMMARY.md, so mdbook does not build it",
                    shown(&target)
                ));
            }
            if let Some(anchor) = anchor
                && target.exists()
            {
                match ids.get(&target) {
                    Some(known) if known.contains(anchor) => {}
                    Some(known) => problems.push(format!(
                        "{at}: no heading with id `{anchor}` in {} (ids: {})",
                        shown(&target),
                        known.iter().cloned().collect::<Vec<_>>().join(", ")
                    )),
                    None => problems.push(format!(
                        "{at}: an anchor into {}, which is no Markdown page",
                        shown(&target)
                    )),
                }
            }
        }
    }
    problems
}

/// Every page in `docs/src` is in `SUMMARY.md` and starts with a `# Title`.
fn check_pages(
    files: &[(PathBuf, String)],
    summary: &BTreeSet<PathBuf>,
    book: &Path,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, text) in files {
        if !file.starts_with(book) || file.ends_with("SUMMARY.md") {
            continue;
        }
        if !summary.contains(&normalize(file)) {
            problems.push(format!(
                "{}: not linked from docs/src/SUMMARY.md, so mdbook does not build it",
                shown(file)
            ));
        }
        if !text.starts_with("# ") {
            problems.push(format!(
                "{}: does not start with a `# Title` line",
                shown(file)
            ));
        }
    }
    for page in summary {
        if !page.exists() {
            problems.push(format!("docs/src/SUMMARY.md: no such page {}", shown(page)));
        }
    }
    problems
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let files: Vec<(PathBuf, String)> = doc_files()
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect();
    let summary = summary_pages();
    let mut problems = check_links(&files, &summary, &book_src());
    problems.extend(check_pages(&files, &summary, &book_src()));
    assert!(
        problems.is_empty(),
        "broken links in the documentation:\n{}",
        problems.join("\n")
    );
    // The README links into the book, and the book's pages link to each other.
    let book_links = files
        .iter()
        .flat_map(|(_, text)| links(text))
        .filter(|l| !is_external(&l.dest))
        .count();
    assert!(book_links > 40, "only {book_links} internal links found");
}

#[test]
fn a_broken_link_anchor_escape_or_unlisted_page_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let book = root.join("docs/src");
    std::fs::create_dir_all(&book).unwrap();
    let pages = [
        (
            "docs/src/page.md",
            "# Page\n\n## Good part\n\n[ok](#good-part) [ok](other.md#its-part) [bad](#nope)\n\
             [gone](missing.md) [anchor](other.md#nope) [out](../../Cargo.toml)\n\
             [unlisted](unlisted.md) `[not a link](#nope)`\n",
        ),
        ("docs/src/other.md", "# Other\n\n## Its part\n"),
        ("docs/src/unlisted.md", "No title\n"),
        (
            "README.md",
            "# R\n\n[ok](Cargo.toml) [ok](docs/src/other.md#its-part) [bad](docs/src/other.md#x)\n",
        ),
        ("Cargo.toml", ""),
    ];
    let files: Vec<(PathBuf, String)> = pages
        .iter()
        .map(|(name, text)| {
            let path = root.join(name);
            std::fs::write(&path, text).unwrap();
            (path, (*text).to_owned())
        })
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "md"))
        .collect();
    let summary: BTreeSet<PathBuf> = [book.join("page.md"), book.join("other.md")].into();
    let mut problems = check_links(&files, &summary, &book);
    problems.extend(check_pages(&files, &summary, &book));
    let joined = problems.join("\n");
    for expected in [
        "page.md:5: `#nope`: no heading with id `nope`",
        "page.md:6: `missing.md`: no such file",
        "page.md:6: `other.md#nope`: no heading with id `nope`",
        "page.md:6: `../../Cargo.toml`: leaves docs/src",
        "page.md:7: `unlisted.md`: ",
        "docs/src/unlisted.md is not in SUMMARY.md, so mdbook does not build it",
        "README.md:3: `docs/src/other.md#x`: no heading with id `x`",
        "unlisted.md: not linked from docs/src/SUMMARY.md",
        "unlisted.md: does not start with a `# Title` line",
    ] {
        assert!(joined.contains(expected), "{expected:?} not in:\n{joined}");
    }
    assert_eq!(problems.len(), 8, "{joined}");
}
