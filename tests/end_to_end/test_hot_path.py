"""An update the bot has handled before costs no search for a module: a failed import is not
remembered, so one left on the path of every Bot API call (httpcore asking for sniffio) scans
sys.path on every message the bot sends."""

from __future__ import annotations

import sys

import pytest

from sandbox.demo_city import BERLIN

pytestmark = pytest.mark.parametrize("demo_spots", [120])

# What each import that reaches the import system names, while a test listens; an import
# already done is answered from sys.modules and says nothing.
_heard: list[str] | None = None


def _listen(event: str, args: tuple) -> None:
    if event == "import" and _heard is not None:
        _heard.append(args[0])


sys.addaudithook(_listen)


async def _a_driver_searches_and_looks(person) -> None:
    await person.send("/start")
    await person.share_location(BERLIN.centre.lat, BERLIN.centre.lon)
    await person.press(person.last_message().buttons[0])
    await person.send("/help")


async def test_a_search_and_its_answers_import_nothing_the_second_time(sandbox):
    global _heard
    dana = sandbox.person("Dana")
    await _a_driver_searches_and_looks(dana)
    _heard = []
    try:
        await _a_driver_searches_and_looks(dana)
        assert _heard == []
    finally:
        _heard = None
