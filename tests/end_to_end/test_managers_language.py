"""The managers' group reads the language set for it (here Chinese), whoever presses there and
whatever language they speak themselves, while drivers and owners keep reading their own."""

import re

import pytest

from bot.i18n import translator
from core.money import Money
from core.status import SpotStatus
from tests.end_to_end.test_dispute_rulings import _no_access_reported
from tests.end_to_end.test_listing import _list_a_spot, _spots_of
from tests.end_to_end.test_trust import _paid

BERLIN = (52.5200, 13.4050)
CHINESE = translator("zh_Hans")
zh = CHINESE.gettext
IN_CHINESE = pytest.mark.parametrize("settings_overrides", [{"manager_language": "zh_Hans"}])


def _shown(msgid: str, **values) -> str:
    """A catalog's Chinese message as the chat shows it: formatted, without its HTML tags."""
    translated = zh(msgid)
    assert translated != msgid, f"no Chinese for {msgid!r}"
    return re.sub(r"<[^>]+>", "", translated).format(**values)


def _days(singular: str, days: int) -> str:
    """A count of days as the Chinese catalog says it."""
    translated = CHINESE.ngettext(singular, singular.replace("day", "days"), days)
    assert translated != singular.replace("day", "days"), f"no Chinese for {singular!r}"
    return translated.format(days=days)


def _euros(minor: int) -> str:
    return CHINESE.money(Money(minor, "EUR"))


@IN_CHINESE
async def test_a_new_listing_reaches_the_group_in_chinese_and_is_approved_with_its_button(
    sandbox,
):
    owner = sandbox.person("Olga")  # an English-speaking owner
    await _list_a_spot(sandbox, owner, "en", BERLIN, "€3/h")
    maria, group = sandbox.manager, sandbox.managers_group

    card = maria.last_message(chat=group)
    assert _shown("🆕 <b>Listing #{id}: {title}</b>", id=1, title="Garage on Elm St") in card.text
    assert _shown("{price} per hour", price=_euros(300)) in card.text
    assert _shown("Owner's credit score: {score}", score=600) in card.text
    assert card.buttons == [_shown("✅ Approve"), _shown("❌ Reject")]

    await maria.press(_shown("✅ Approve"), chat=group)
    decided = maria.last_message(chat=group)
    assert decided.id == card.id
    assert _shown("✅ Approved by {manager}", manager="Maria (manager)") in decided.text
    assert (await _spots_of(sandbox, owner.id))[0].status == SpotStatus.APPROVED
    assert "Good news: your spot “Garage on Elm St” is approved" in owner.last_message().text


@IN_CHINESE
async def test_a_dispute_is_shown_ruled_and_decided_in_chinese_and_the_driver_reads_english(
    sandbox,
):
    owner, dana = await _no_access_reported(sandbox)
    maria, group = sandbox.manager, sandbox.managers_group

    card = maria.last_message(chat=group)
    problem = _shown("can't get in")
    assert _shown(
        "⚠️ <b>Dispute #{id} · booking #{booking}</b>: {problem}", id=1, booking=1, problem=problem
    ) in card.text  # fmt: skip
    assert _shown("Reported by {side}: “{text}”", side=_shown("the driver"),
                  text="The gate code doesn't work") in card.text  # fmt: skip
    assert _shown("⚖️ Split 50/50") in card.buttons
    assert _shown("💸 Refund driver in full") in card.buttons
    # Anyone pressing in the group is answered in its language, not their own (English).
    answer = await sandbox.group_member.press(_shown("⚖️ Split 50/50"), chat=group)
    assert answer["text"] == _shown("Only the managers' administrators can settle disputes.")

    await maria.press(_shown("⚖️ Split 50/50"), chat=group)
    asked = maria.last_message(chat=group)
    assert _shown("Split the payment 50/50?") in asked.text
    assert _shown("• The driver gets back {amount}", amount=_euros(300)) in asked.text
    assert _shown("• The owner receives {amount}", amount=_euros(255)) in asked.text
    assert asked.buttons == [_shown("✅ Confirm"), _shown("↩️ Back")]

    await maria.press(_shown("✅ Confirm"), chat=group)
    decided = maria.last_message(chat=group)
    verdict = _shown("the driver gets {refund} back and the owner receives {share}",
                     refund=_euros(300), share=_euros(255))  # fmt: skip
    assert _shown("✅ Decided by {manager}: {what}", manager="Maria (manager)",
                  what=verdict) in decided.text  # fmt: skip
    assert _shown("Still held by the platform: {amount}", amount=_euros(0)) in decided.text
    assert decided.buttons == []

    to_dana = dana.last_message().text
    assert "A manager has decided on booking #1" in to_dana
    assert "you get €3.00 back and the owner receives €2.55" in to_dana
    assert "the driver gets €3.00 back and you receive €2.55" in owner.last_message().text


@IN_CHINESE
async def test_the_managers_report_is_in_chinese(sandbox):
    await _paid(sandbox)
    maria, group = sandbox.manager, sandbox.managers_group

    await maria.send("/report", chat=group)
    report = maria.last_message(chat=group)
    assert _shown("Gross bookings: {amount}", amount=_euros(600)) in report.text
    assert _shown("Disputes opened: {count}", count=0) in report.text
    assert report.buttons == [_shown("Today"), _days("{days} day", 7), _days("{days} day", 30)]

    await maria.press(_days("{days} day", 30), chat=group)
    month = maria.last_message(chat=group)
    last_30_days = _days("the last {days} day", 30)
    assert _shown("📊 <b>Report for {period}</b>", period=last_30_days) in month.text
