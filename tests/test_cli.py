"""The `parkshare` command as a newcomer meets it."""

import subprocess
import sys


def parkshare(*args, env_extra=None, cwd=None):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKSHARE_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=False,
    )  # fmt: skip


def test_help_lists_the_commands():
    result = parkshare("--help")
    assert result.returncode == 0
    assert "run" in result.stdout
    assert "db" in result.stdout


def test_a_malformed_setting_is_one_line_naming_the_variable(tmp_path):
    result = parkshare("run", env_extra={"PARKSHARE_COMMISSION_PERCENT": "lots"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PARKSHARE_COMMISSION_PERCENT" in lines[0]
    assert "Traceback" not in result.stderr


def test_run_without_a_token_says_how_to_set_one(tmp_path):
    result = parkshare("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "PARKSHARE_BOT_TOKEN" in result.stderr


def test_db_upgrade_creates_the_embedded_database(tmp_path):
    result = parkshare("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "parkshare.db").exists()
