#!/usr/bin/env python3
"""Checks the built book (docs/book) the way a reader clicks it: every link from a page's
content to another page of the book, and every #anchor, exists in mdbook's HTML output.

`cargo test` checks the Markdown (tests/it/docs/links.rs, with mdbook's rule for heading ids);
this checks mdbook's actual output, so a difference between the two rules cannot hide a broken
link. Usage: python3 tests/docs/html_links.py docs/book
"""
import html
import os
import re
import sys
from urllib.parse import unquote


def main(book: str) -> int:
    pages = {}
    for name in sorted(os.listdir(book)):
        if name.endswith(".html"):
            with open(os.path.join(book, name), encoding="utf-8") as f:
                pages[name] = f.read()
    ids = {name: set(re.findall(r'\bid="([^"]+)"', text)) for name, text in pages.items()}
    problems, checked = [], 0
    for name, text in pages.items():
        if name in ("print.html", "toc.html", "404.html"):
            continue
        start, end = text.find("<main>"), text.find("</main>")
        content = text[start:end] if start >= 0 else text
        for href in re.findall(r'href="([^"]*)"', content):
            href = html.unescape(href)
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href):
                continue
            path, _, anchor = href.partition("#")
            target = name if path == "" else os.path.normpath(unquote(path))
            checked += 1
            if not target.endswith(".html"):
                if not os.path.exists(os.path.join(book, target)):
                    problems.append(f"{name}: {href}: no such file in the book")
                continue
            if target not in pages:
                problems.append(f"{name}: {href}: no such page")
            elif anchor and anchor not in ids[target]:
                problems.append(f"{name}: {href}: no id `{anchor}` in {target}")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{checked} internal links in {len(pages)} pages, {len(problems)} broken")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/book"))
