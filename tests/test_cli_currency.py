"""A currency the chosen gateway cannot take stops `parkshare` before it starts, in one line."""

import os
import subprocess
import sys

import pytest


def parkshare(*args, env_extra, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKSHARE_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("gateway", ["telegram", "auto"])
def test_a_currency_telegram_does_not_list_stops_the_bot_in_one_line(tmp_path, gateway):
    result = parkshare(
        "run",
        env_extra={
            "PARKSHARE_BOT_TOKEN": "123:abc",
            "PARKSHARE_PAYMENT_GATEWAY": gateway,
            "PARKSHARE_DEFAULT_CURRENCY": "KWD",
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PARKSHARE_DEFAULT_CURRENCY=KWD" in lines[0]
    assert "Telegram" in lines[0]


def test_a_currency_stripe_does_not_take_stops_the_bot_in_one_line(tmp_path):
    result = parkshare(
        "run",
        env_extra={
            "PARKSHARE_BOT_TOKEN": "123:abc",
            "PARKSHARE_PAYMENT_GATEWAY": "stripe",
            "PARKSHARE_STRIPE_SECRET_KEY": "sk_test_x",
            "PARKSHARE_DEFAULT_CURRENCY": "IRR",
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PARKSHARE_DEFAULT_CURRENCY=IRR" in lines[0]
    assert "Stripe" in lines[0]
