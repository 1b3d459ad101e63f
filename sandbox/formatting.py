"""Telegram's HTML parse mode: the plain text and entities a formatted message becomes, refused
with Telegram's own words when the markup is broken."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

# Tag -> entity type, as Telegram documents for parse_mode HTML.
TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "code": "code", "pre": "pre", "a": "text_link", "tg-spoiler": "spoiler",
    "span": "spoiler", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip


# Telegram reads a tag's name up to the first space or ">".
_TAG_END = re.compile(r"[\s>]")


class EntityError(ValueError):
    pass


def utf16_length(text: str) -> int:
    """Telegram counts offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.length = 0
        self.open: list[tuple[str, int, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            raise EntityError(f'Unsupported start tag "{tag}" at byte offset {self.length}')
        self.open.append((tag, self.length, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise EntityError(f"Unexpected end tag at byte offset {self.length}")
        _, start, attrs = self.open.pop()
        if self.length == start:
            return
        entity: dict[str, Any] = {"type": TAGS[tag], "offset": start, "length": self.length - start}
        if tag == "a":
            href = attrs.get("href")
            if not href:
                return
            entity["url"] = href
        if tag == "pre" and attrs.get("language"):
            entity["language"] = attrs["language"]
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.length += utf16_length(data)


def _check_tags(source: str) -> None:
    """Every "<" must open a tag Telegram knows: Telegram refuses a bare "<" (as in unescaped
    "a < b" or "<name@mail.com>"), which Python's HTMLParser would pass on as text."""
    for found in re.finditer("<", source):
        start = found.start()
        offset = len(source[:start].encode())
        end = _TAG_END.search(source, start + 1)
        if end is None:
            raise EntityError(f"Unclosed start tag at byte offset {offset}")
        if source.startswith("</", start):
            continue
        name = source[start + 1 : end.start()]
        if name.lower() not in TAGS:
            raise EntityError(f'Unsupported start tag "{name}" at byte offset {offset}')


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    _check_tags(source)
    parser = _Parser()
    parser.feed(source)
    parser.close()
    if parser.open:
        tag = parser.open[-1][0]
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{tag}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.text), entities


def command_entities(text: str) -> list[dict[str, Any]]:
    """A message starting with /command carries a bot_command entity, as Telegram adds."""
    if not text.startswith("/"):
        return []
    command = text.split()[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_length(command)}]
