from dataclasses import dataclass

import pytest

from bot.keyboards import CallbackData, ForgedCallback


@dataclass(frozen=True)
class Pick(CallbackData):
    prefix = "pick"
    choices = {"mode": frozenset({"a", "b"})}  # noqa: RUF012
    item_id: int
    mode: str


def test_callback_data_round_trips():
    assert Pick.unpack(Pick(42, "a").pack()) == Pick(42, "a")


@pytest.mark.parametrize(
    "data",
    [None, "", "pick", "pick:42", "pick:42:a:extra", "pick:x:a", "pick:42:c", "other:42:a",
     "pick:1e9:a", "pick:9999999999999999999:a", "pick: 4:a"],
)  # fmt: skip
def test_forged_callback_data_is_refused(data):
    with pytest.raises(ForgedCallback):
        Pick.unpack(data)


def test_a_button_sent_before_a_field_was_added_still_reads():
    @dataclass(frozen=True)
    class Later(CallbackData):
        prefix = "later"
        item_id: int
        terms: int = 0

    assert Later.unpack("later:7") == Later(7, 0)
    assert Later.unpack("later:7:9") == Later(7, 9)
    for forged in ("later", "later:7:9:1"):
        with pytest.raises(ForgedCallback):
            Later.unpack(forged)


def test_callback_data_never_exceeds_telegrams_64_bytes():
    @dataclass(frozen=True)
    class Long(CallbackData):
        prefix = "long"
        text: str

    with pytest.raises(ValueError, match="64 bytes"):
        Long("й" * 40).pack()


def test_the_pattern_matches_only_its_prefix():
    assert Pick.pattern().match("pick:1:a")
    assert not Pick.pattern().match("picker:1:a")


def test_every_button_of_the_bot_has_its_own_prefix():
    import bot.app  # noqa: F401  registers every handler module, and with it every button

    seen: dict[str, str] = {}
    pending = list(CallbackData.__subclasses__())
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if kind.__module__.startswith("bot."):
            assert kind.prefix not in seen, f"{kind.__name__} and {seen[kind.prefix]}"
            seen[kind.prefix] = kind.__name__
    assert len(seen) > 20


def test_data_that_breaks_a_buttons_own_rule_is_refused():
    @dataclass(frozen=True)
    class Stars(CallbackData):
        prefix = "stars"
        count: int

        def is_valid(self) -> bool:
            return 1 <= self.count <= 5

    assert Stars.unpack("stars:5") == Stars(5)
    with pytest.raises(ForgedCallback):
        Stars.unpack("stars:6")


def _all_kinds(kind: type[CallbackData]) -> list[type[CallbackData]]:
    return [
        found
        for sub in kind.__subclasses__()
        for found in (sub, *_all_kinds(sub))
        if getattr(found, "__module__", "").startswith("bot.")
    ]


def test_every_kind_of_button_has_a_prefix_of_its_own():
    import bot.app  # noqa: F401  (every handler, and so every kind of button, is imported)

    kinds = _all_kinds(CallbackData)
    prefixes = [kind.prefix for kind in kinds]
    assert len(kinds) > 40
    assert sorted(p for p in prefixes if prefixes.count(p) > 1) == []
