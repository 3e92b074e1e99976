//! The shell every HTML report shares: escaping, the inline stylesheet (screen and print), and
//! the page around a body. Nothing is loaded from anywhere: no script, font or image URL.

use std::fmt::Write;

/// `text` with `& < > " '` escaped, safe both as element text and inside a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends `text` escaped (see [`escape`]).
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The stylesheet: dark text on light backgrounds (WCAG AA contrast), status shown by word as
/// well as by colour, and a print layout that opens nothing it cannot show.
const CSS: &str = "\
:root{--fg:#1b1f24;--muted:#4a525c;--bg:#fff;--line:#c9ced6;--pass:#0b6b2e;--passbg:#e3f4e8;\
--fail:#a3141b;--failbg:#fbe6e7;--err:#7a4b00;--errbg:#fdf0d5;--skip:#4a525c;--skipbg:#eef0f3}\
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);\
background:var(--bg);margin:0 auto;max-width:72rem;padding:1.5rem}\
h1{font-size:1.6rem;margin:.2rem 0 .6rem}h2{font-size:1.25rem;margin:1.6rem 0 .5rem}\
h3{font-size:1.05rem;margin:1rem 0 .4rem}\
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}\
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f1f3f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
caption{text-align:left;font-weight:600;padding:.2rem 0}\
code,pre{font:13px/1.4 ui-monospace,'SF Mono',Menlo,Consolas,monospace}\
pre{margin:0;white-space:pre-wrap;word-break:break-word}\
.st{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-weight:600}\
.passed{color:var(--pass);background:var(--passbg)}.failed{color:var(--fail);background:var(--failbg)}\
.error{color:var(--err);background:var(--errbg)}.skipped{color:var(--skip);background:var(--skipbg)}\
.muted{color:var(--muted)}.hint{border-left:3px solid var(--err);padding-left:.5rem;margin:.3rem 0}\
.diff .add{background:var(--passbg);color:var(--pass)}.diff .del{background:var(--failbg);color:var(--fail)}\
.lab{border-top:2px solid var(--line);margin-top:1.2rem}\
details{border:1px solid var(--line);border-radius:.3rem;margin:.3rem 0;padding:.2rem .6rem}\
summary{cursor:pointer;font-weight:600}\
.bar{fill:#2f5d9e}.axis{stroke:#4a525c}svg text{font:12px system-ui,sans-serif;fill:#1b1f24}\
a{color:#0b4f9e}th .muted{font-weight:400}\
@media print{body{max-width:none;padding:0;font-size:11pt}a{color:inherit;text-decoration:none}\
details{border:none;padding:0}details>summary{list-style:none}\
tr,pre,.step{break-inside:avoid}h2,h3{break-after:avoid}\
.st{border:1px solid currentColor}}";

/// A complete HTML document: `title` (escaped) and `body` (already HTML).
pub fn page(title: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + CSS.len() + 400);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    // No network, no script: a page opened from an e-mail or an LMS stays inert.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"/>\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str(body);
    out.push_str("</body>\n</html>\n");
    out
}

/// A status badge: the word itself, coloured.
pub fn status(out: &mut String, status: &str) {
    let _ = write!(out, "<span class=\"st {0}\">{0}</span>", escape(status));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn the_page_loads_nothing_from_anywhere() {
        let html = page("t", "<p>b</p>");
        for banned in ["<script", "http://", "https://", "@import", "url(", "<link"] {
            assert!(!html.contains(banned), "{banned} in {html}");
        }
        assert!(html.contains("@media print"));
    }
}
