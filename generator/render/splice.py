"""Splicing a site page's set-aside parts back into its HTML: its table blocks and its
official sheet. Text only (`re`), so a site build served from its memo (`site`) uses it
without importing the renderers.

Why: an SOP page's tables cost Markdown twice the rest of the page and the search index most
of its time, and the official sheet (~70 kB of HTML) more still; so they are set aside from
the page's Markdown and put back into the HTML MkDocs made (see `TABLE_BLOCK`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Stands where an SOP page's official sheet goes until the page's HTML is made.
SHEET_MARKER = "<!-- sop:lembar-sop -->"

# A table block of a page (`<div class="... sop-tabel-wrap">` holding one table, between blank
# lines) is raw HTML, which Markdown passes through unchanged but parses first: on an SOP page
# that costs Markdown twice the rest of the page. The site sets such blocks aside before
# Markdown (`set_tables_aside`). The search index reads each as its text only (`stand_in`:
# parsing the whole table costs the index most of its time), and the page gets the block
# back once made (`put_tables_back`).
TABLE_BLOCK = re.compile(
    r'(?<=\n\n)<div class="[^"<>\n]*\bsop-tabel-wrap\b[^"<>\n]*">\n<table\b.*?\n</table>\n</div>'
    r"(?=\n\n|\n?\Z)",
    re.S,
)
TABLE_MARKER = '<div data-sop-tabel="{}"></div>'
STAND_IN = '<div data-sop-cari="{}">{}</div>'
# What the search index (mkdocs-material's search plugin, `Parser`) reads besides text: the
# tags it keeps in an entry's text; tags and attributes that change what it reads make a
# block its own stand-in.
SEARCH_KEPT = re.compile(r"<(/?)(p|code|li|ol|ul|sub|sup)\b[^<>]*>")
SEARCH_SPECIAL = re.compile(
    r"data-search-exclude|linenodiv|<(pre|h[1-6]|script|style|object|textarea|title)\b", re.I
)
_ANY_TAG = re.compile(r"<!--.*?-->|<[^<>]*>", re.S)
_MARKS = re.compile("[\x02\x03]")  # control characters `stand_in` marks kept tags with


class LostTableError(RuntimeError):
    """A page lacks the place of one of its tables: a bug of sop, never a user error."""


def set_tables_aside(markdown: str) -> tuple[str, tuple[str, ...]]:
    """A page's Markdown with each table block replaced by `TABLE_MARKER` (numbered from
    0), and the blocks."""
    blocks: list[str] = []

    def marker(found: re.Match[str]) -> str:
        blocks.append(found.group(0))
        return TABLE_MARKER.format(len(blocks) - 1)

    return TABLE_BLOCK.sub(marker, markdown), tuple(blocks)


def stand_in(block: str) -> str:
    """What the search index reads for a table block: its text, with the tags the index keeps
    (lists, paragraphs, code; attributes dropped), every other tag and comment removed.

    The index joins a section's text pieces without adding spaces, so the text and the
    entry's words are the same as from the whole block; only runs of blanks may differ, which
    the index's separator reads as one. A block holding anything else the index reads
    (headings, `pre`, `data-search-exclude`, skipped elements) is its own stand-in."""
    if SEARCH_SPECIAL.search(block) or _MARKS.search(block):
        return block
    marked = SEARCH_KEPT.sub("\x02\\1\\2\x03", block)  # kept tags, out of `_ANY_TAG`'s way
    return _ANY_TAG.sub("", marked).replace("\x02", "<").replace("\x03", ">")


def put_tables_back(text: str, blocks: Sequence[str]) -> str:
    """The page's Markdown, or the HTML Markdown made of it, with its table blocks back."""
    for number, block in enumerate(blocks):
        text = text.replace(TABLE_MARKER.format(number), block, 1)
    return text


def put_stand_ins(html_text: str, stand_ins: Sequence[str]) -> str:
    """The HTML Markdown made of a page, each table marker replaced by its block's
    `stand_in` (in a `STAND_IN` element): what the search index reads."""
    for number, text in enumerate(stand_ins):
        html_text = html_text.replace(TABLE_MARKER.format(number), STAND_IN.format(number, text), 1)
    return html_text


def stand_ins_to_tables(output: str, blocks: Sequence[str], stand_ins: Sequence[str]) -> str:
    """A made page with each table's stand-in replaced by the table block. Raises
    LostTableError when a stand-in is not in the page exactly once: a table would be lost."""
    for number, (block, text) in enumerate(zip(blocks, stand_ins, strict=True)):
        found = STAND_IN.format(number, text)
        if output.count(found) != 1:
            raise LostTableError(
                f"BUG: tabel {number + 1} tidak ditemukan tepat satu kali di halaman; "
                "halaman tidak ditulis (laporkan ke pengembang sop)"
            )
        output = output.replace(found, block, 1)
    return output


def insert_sheet(html: str, sheet_html: str) -> str:
    """A page's HTML with its official sheet put in place of `SHEET_MARKER`."""
    return html.replace(SHEET_MARKER, sheet_html, 1)
