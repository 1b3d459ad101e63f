"""``PARKSHARE_BOT_API_URL``: the bot speaks to a self-hosted Bot API server instead of
Telegram's; here the sandbox is that server."""

from __future__ import annotations

from bot.app import build_application
from core.settings import load_settings
from sandbox.client import tiny_png


async def test_a_bot_given_its_own_bot_api_server_sends_and_downloads_there(sandbox):
    dana = sandbox.person("Dana")
    await dana.send("/start")
    server = sandbox.runtime.url
    settings = load_settings(_env_file=None, database_url="sqlite://", bot_api_url=f"{server}/")
    picture = tiny_png(rgb=(30, 200, 30))

    async with build_application(settings, token=sandbox.world.token).bot as bot:
        sent = await bot.send_photo(dana.id, picture, caption="From your own server")
        file = await bot.get_file(sent.photo[-1].file_id)
        downloaded = bytes(await file.download_as_bytearray())

    assert dana.last_message().text == "From your own server"
    assert file.file_path is not None
    assert file.file_path.startswith(f"{server}/file/bot{sandbox.world.token}/")
    assert downloaded == picture
