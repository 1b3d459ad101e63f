"""Messages built from what people typed, made to fit Telegram's limits.

Telegram refuses a text longer than 4,096 and a caption longer than 1,024, counted in UTF-16
code units of the text it shows: after parse_mode HTML, so a tag counts nothing, ``&amp;``
counts one, and an emoji outside the BMP counts two. The bot escapes first and fits after, so a
cut must never land inside a tag or an entity, and every tag left open is closed (and, when a
message is split, opened again at the top of the next part)."""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096
MAX_CAPTION = 1024
CUT_MARKER = "…"

# A tag, an entity, or one character: the pieces a cut may fall between.
_TOKEN = re.compile(r"<[^<>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def utf16_len(text: str) -> int:
    """How long Telegram finds ``text``: UTF-16 code units, two for an emoji beyond the BMP."""
    return len(text.encode("utf-16-le")) // 2


def _width(token: str) -> int:
    if token.startswith("<") and token.endswith(">") and len(token) > 1:
        return 0
    if token.startswith("&") and len(token) > 1:
        return utf16_len(html.unescape(token))
    return utf16_len(token)


def visible_len(text: str) -> int:
    """The length Telegram counts for ``text`` sent with parse_mode HTML."""
    return sum(_width(token) for token in _TOKEN.findall(text))


def _track(token: str, open_tags: list[tuple[str, str]]) -> None:
    """Keeps ``open_tags`` (name, opening tag) up to date with one token."""
    if not (token.startswith("<") and token.endswith(">")) or len(token) < 3:
        return
    found = _TAG_NAME.match(token)
    if found is None:
        return
    name = found.group(1).lower()
    if token.startswith("</"):
        for index in range(len(open_tags) - 1, -1, -1):
            if open_tags[index][0] == name:
                del open_tags[index]
                break
    else:
        open_tags.append((name, token))


def _closing(open_tags: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))


def fit_html(text: str, limit: int = MAX_TEXT, marker: str = CUT_MARKER) -> str:
    """``text`` as it is when it fits, else cut at a safe place with ``marker`` (plain text,
    already escaped) appended and every open tag closed."""
    if visible_len(text) <= limit:
        return text
    budget = max(limit - visible_len(marker), 0)
    kept: list[str] = []
    open_tags: list[tuple[str, str]] = []
    used = 0
    for token in _TOKEN.findall(text):
        width = _width(token)
        if used + width > budget:
            break
        kept.append(token)
        used += width
        _track(token, open_tags)
    return "".join(kept).rstrip() + _closing(open_tags) + marker


def split_html(text: str, limit: int = MAX_TEXT, *, first_limit: int | None = None) -> list[str]:
    """``text`` in as many parts as it takes, each within ``limit`` (the first within
    ``first_limit``, for a caption followed by messages), broken at a line end or a space when
    one is in the second half of a part; tags open across a break are closed and reopened."""
    tokens = _TOKEN.findall(text)
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []
    start = 0
    while start < len(tokens):
        cap = first_limit if first_limit is not None and not parts else limit
        used, end, line_end, space = 0, start, None, None
        while end < len(tokens) and used + _width(tokens[end]) <= cap:
            used += _width(tokens[end])
            if used * 2 >= cap:
                if tokens[end] == "\n":
                    line_end = end
                elif tokens[end].isspace():
                    space = end
            end += 1
        resume = end
        if end < len(tokens):
            if end == start:  # one character wider than the limit: send it alone all the same
                end = resume = start + 1
            elif (brk := line_end if line_end is not None else space) is not None:
                end, resume = brk, brk + 1
        reopened = "".join(tag for _, tag in open_tags)
        for token in tokens[start:end]:
            _track(token, open_tags)
        body = "".join(tokens[start:end])
        if any(_width(token) and not token.isspace() for token in tokens[start:end]):
            parts.append(reopened + body + _closing(open_tags))
        start = resume
    return parts or [text]
