//! Source positions: byte ranges of spanned values, positions inside YAML scalars, and searching
//! a region of the file for text that has no span of its own (strings inside JSON values).

use serde_saphyr::{Location, Spanned};

/// Byte offset of a 1-based line and column (columns count characters).
pub(crate) fn offset_of_line_col(source: &str, line: u64, column: u64) -> usize {
    let mut offset = 0usize;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let col = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
            return offset
                + l.char_indices()
                    .nth(col)
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += l.len();
    }
    source.len()
}

/// The byte range `(offset, len)` of a location in `source`.
pub(crate) fn location_range(source: &str, loc: &Location) -> (usize, usize) {
    let span = loc.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(o), Some(l)) => (
            usize::try_from(o).unwrap_or(source.len()),
            usize::try_from(l).unwrap_or(0),
        ),
        _ => (offset_of_line_col(source, loc.line(), loc.column()), 1),
    }
}

/// The byte range `(offset, len)` of a spanned value in `source`.
pub(crate) fn range<T>(source: &str, s: &Spanned<T>) -> (usize, usize) {
    location_range(source, &s.referenced)
}

/// Maps byte positions in a scalar's value to byte positions in the file.
///
/// Exact while the value and the source text agree (plain scalars, quoted scalars without
/// escapes, the first line of block scalars); past that, positions are clamped to the scalar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScalarMap {
    base: usize,
    exact: usize,
    end: usize,
}

impl ScalarMap {
    /// The map for the scalar `value` whose node is at `offset..offset+len` in `source`.
    pub(crate) fn new(source: &str, offset: usize, len: usize, value: &str) -> Self {
        let end = (offset + len).min(source.len());
        let raw = source.get(offset..end).unwrap_or("");
        let base = if raw.starts_with('"') || raw.starts_with('\'') {
            offset + 1
        } else {
            offset
        };
        let text = source.get(base..end).unwrap_or("");
        let exact = text
            .bytes()
            .zip(value.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        ScalarMap { base, exact, end }
    }

    /// The map of a spanned string.
    pub(crate) fn of(source: &str, s: &Spanned<String>) -> Self {
        let (o, l) = range(source, s);
        Self::new(source, o, l, &s.value)
    }

    /// The file position of byte `i` of the value.
    pub(crate) fn at(&self, i: usize) -> usize {
        if i <= self.exact {
            self.base + i
        } else {
            (self.base + self.exact).min(self.end.saturating_sub(1).max(self.base))
        }
    }
}

/// A byte range of the file that belongs to one step or one check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Region {
    /// The first occurrence of `needle` in the region, as a file offset.
    pub(crate) fn find(&self, source: &str, needle: &str) -> Option<usize> {
        let hay = source.get(self.start..self.end.min(source.len()))?;
        hay.find(needle).map(|i| self.start + i)
    }

    /// The first line in the region whose key (after indentation and any `- `) is `key:`, at
    /// key column `col` when given, as the file offset of the key.
    pub(crate) fn find_key(&self, source: &str, key: &str, col: Option<usize>) -> Option<usize> {
        let hay = source.get(self.start..self.end.min(source.len()))?;
        let mut offset = self.start;
        for line in hay.split_inclusive('\n') {
            let trimmed = line.trim_start_matches([' ', '-']);
            let indent = line.len() - trimmed.len();
            if let Some(rest) = trimmed.strip_prefix(key)
                && rest.trim_start().starts_with(':')
                && col.is_none_or(|c| c == indent)
            {
                return Some(offset + indent);
            }
            offset += line.len();
        }
        None
    }
}

/// The start of the line that contains `offset`.
fn line_start(source: &str, offset: usize) -> usize {
    source
        .get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The column of the key on the line containing `offset` (after indentation and any `- `).
pub(crate) fn key_col(source: &str, offset: usize) -> usize {
    let line = source.get(line_start(source, offset)..).unwrap_or("");
    line.len() - line.trim_start_matches([' ', '-']).len()
}

/// The start of the block-sequence item (`- key: ...`) whose key on the line of `offset` is a
/// direct key: walks back over sibling keys (same key column) and their nested lines.
pub(crate) fn item_start(source: &str, offset: usize) -> usize {
    let mut start = line_start(source, offset);
    let col = key_col(source, offset);
    let first = source.get(start..start + col).unwrap_or("");
    if first.contains('-') {
        return start;
    }
    while start > 0 {
        let prev = line_start(source, start - 1);
        let line = source.get(prev..start).unwrap_or("");
        let trimmed = line.trim_start_matches([' ', '-']);
        let indent = line.len() - trimmed.len();
        let blank = trimmed.trim().is_empty() || trimmed.starts_with('#');
        if blank || indent > col {
            start = prev;
        } else if indent == col {
            start = prev;
            if line.get(..indent).is_some_and(|p| p.contains('-')) {
                return start;
            }
        } else {
            break;
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_to_offset() {
        let src = "ab\ncdé\nf";
        assert_eq!(offset_of_line_col(src, 1, 1), 0);
        assert_eq!(offset_of_line_col(src, 2, 3), 5);
        assert_eq!(offset_of_line_col(src, 3, 1), 8);
    }

    #[test]
    fn scalar_map_skips_quotes() {
        let src = "q: \"foo[\"\n";
        let m = ScalarMap::new(src, 3, 6, "foo[");
        assert_eq!(m.at(0), 4);
        assert_eq!(m.at(3), 7);
        let plain = "q: foo[\n";
        assert_eq!(ScalarMap::new(plain, 3, 4, "foo[").at(3), 6);
    }

    #[test]
    fn region_find_key() {
        let src = "- id: a\n  points: 2\n  expect:\n    - query: x\n";
        let r = Region {
            start: 0,
            end: src.len(),
        };
        assert_eq!(r.find_key(src, "points", None), Some(10));
        assert_eq!(r.find_key(src, "points", Some(4)), None);
        assert_eq!(r.find_key(src, "query", Some(6)), Some(36));
        assert_eq!(r.find_key(src, "nothing", None), None);
    }

    #[test]
    fn item_start_walks_back_over_siblings() {
        let src = "steps:\n  - title: A\n    # note\n    body:\n      x: 1\n    id: a\n";
        let id = src.find("id: a").unwrap_or(0);
        assert_eq!(key_col(src, id), 4);
        assert_eq!(item_start(src, id), src.find("  - title").unwrap_or(99));
        let first = src.find("title").unwrap_or(0);
        assert_eq!(item_start(src, first), 7);
    }
}
