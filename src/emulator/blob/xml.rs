//! The XML of the Blob service: error bodies, enumeration results and block lists written as
//! the service writes them, and the `BlockList` body of Put Block List read with quick-xml.

use quick_xml::Reader;
use quick_xml::events::Event;

/// The XML declaration every body starts with.
pub(crate) const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// `text` escaped for element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// `<name>text</name>`, or `<name />` when empty.
pub(crate) fn element(name: &str, text: &str) -> String {
    if text.is_empty() {
        format!("<{name} />")
    } else {
        format!("<{name}>{}</{name}>", esc(text))
    }
}

/// An error body: `<Error><Code>..</Code><Message>..</Message>[extra]</Error>`.
pub(crate) fn error(code: &str, message: &str, extra: &str) -> String {
    format!(
        "{DECLARATION}<Error><Code>{}</Code><Message>{}</Message>{extra}</Error>",
        esc(code),
        esc(message)
    )
}

/// Which list a block of a Put Block List body names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockSource {
    /// `<Committed>`: the blob's committed list.
    Committed,
    /// `<Uncommitted>`: the uncommitted blocks.
    Uncommitted,
    /// `<Latest>`: uncommitted if there, else committed.
    Latest,
}

/// The most blocks one block list may name (the service's limit).
pub(crate) const MAX_BLOCKS: usize = 50_000;

/// Reads a `BlockList` body; `Err` names what is wrong.
pub(crate) fn parse_block_list(body: &[u8]) -> Result<Vec<(BlockSource, String)>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<BlockSource> = None;
    let mut seen_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                let name = e.name();
                let name = std::str::from_utf8(name.as_ref()).unwrap_or_default();
                match (depth, name) {
                    (1, "BlockList") => seen_root = true,
                    (2, "Committed") => current = Some(BlockSource::Committed),
                    (2, "Uncommitted") => current = Some(BlockSource::Uncommitted),
                    (2, "Latest") => current = Some(BlockSource::Latest),
                    _ => return Err(format!("unexpected element <{name}>")),
                }
            }
            Ok(Event::Text(t)) => {
                let Some(source) = current else {
                    return Err("text outside a block element".to_owned());
                };
                let id = t.decode().map_err(|e| e.to_string())?.into_owned();
                if out.len() == MAX_BLOCKS {
                    return Err(format!("more than {MAX_BLOCKS} blocks"));
                }
                out.push((source, id));
            }
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                current = None;
            }
            Ok(Event::Empty(e)) => {
                let name = e.name();
                let name = std::str::from_utf8(name.as_ref()).unwrap_or_default();
                if depth == 0 && name == "BlockList" {
                    seen_root = true;
                } else {
                    return Err(format!("empty element <{name}>"));
                }
            }
            Ok(Event::Eof) => break,
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_)) => {}
            Ok(_) => return Err("unexpected XML content".to_owned()),
            Err(e) => return Err(e.to_string()),
        }
    }
    if seen_root {
        Ok(out)
    } else {
        Err("the root element must be <BlockList>".to_owned())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn block_lists_parse_and_bad_ones_say_why() {
        let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BlockList><Latest>QUFB</Latest><Committed>QkJC</Committed><Uncommitted>Q0ND</Uncommitted></BlockList>";
        assert_eq!(
            parse_block_list(body).unwrap(),
            vec![
                (BlockSource::Latest, "QUFB".to_owned()),
                (BlockSource::Committed, "QkJC".to_owned()),
                (BlockSource::Uncommitted, "Q0ND".to_owned())
            ]
        );
        assert!(parse_block_list(b"<BlockList/>").unwrap().is_empty());
        assert!(parse_block_list(b"<Other><Latest>x</Latest></Other>").is_err());
        assert!(parse_block_list(b"<BlockList><Latest>x</BlockList>").is_err());
        assert!(parse_block_list(b"not xml").is_err());
        assert_eq!(element("A", "x<y"), "<A>x&lt;y</A>");
    }
}
