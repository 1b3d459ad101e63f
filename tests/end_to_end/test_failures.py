"""Something unexpected fails: the person hears an apology in their language, and the managers
hear of each kind of failure once in a while, never of the person's data."""


async def test_an_unexpected_failure_is_apologised_for_and_managers_hear_once_per_kind(sandbox):
    maria, group = sandbox.manager, sandbox.managers_group
    dana = sandbox.person("Dana", language="ru")
    await dana.send("/start")
    alerts_before = len(maria.messages(chat=group))

    # Telegram refuses the bot's answer to /help: the handler fails with a BadRequest.
    sandbox.world.refusals["sendmessage"] = "message is too long"
    await dana.send("/help")
    assert "Извините" in dana.last_message().text  # the apology, in Russian
    (alert,) = maria.messages(chat=group)[alerts_before:]
    assert "An update failed: BadRequest at bot/" in alert.text
    assert "Dana" not in alert.text
    assert "too long" not in alert.text  # the error's own words may hold a person's data

    sandbox.world.refusals["sendmessage"] = "message is too long"
    await dana.send("/help")
    assert "Извините" in dana.last_message().text
    assert len(maria.messages(chat=group)) == alerts_before + 1  # the same kind, only logged

    sandbox.clock.advance(minutes=11)
    sandbox.world.refusals["sendmessage"] = "message is too long"
    await dana.send("/help")
    assert len(maria.messages(chat=group)) == alerts_before + 2
