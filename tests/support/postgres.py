"""A throwaway PostgreSQL server from the machine's own binaries, for the test run.

`python -m tests.support.postgres start DIR` prints a URL and leaves the server running;
`python -m tests.support.postgres stop DIR` stops it. The test suite starts one itself
when ``PARKSHARE_TEST_POSTGRES_URL`` is not set."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

SEARCH_PATHS = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/local/bin", "/usr/bin")


def find_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for pattern in SEARCH_PATHS:
        for candidate in sorted(Path("/").glob(pattern.lstrip("/")), reverse=True):
            if (candidate / name).exists():
                return str(candidate / name)
    raise RuntimeError(
        f"{name} not found: install PostgreSQL's server binaries, or set "
        "PARKSHARE_TEST_POSTGRES_URL to a database the tests may use"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user() -> list[str]:
    # initdb and postgres refuse to run as root.
    if os.geteuid() == 0:
        return [find_binary("runuser"), "-u", "postgres", "--"]
    return []


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")


def start(directory: Path) -> str:
    """Initialise and start a server in ``directory`` (which the server's user must be able to
    reach); returns its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    port = _free_port()
    run = _as_server_user()
    _run([*run, find_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
          "-E", "UTF8", "--no-locale"])  # fmt: skip
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {directory} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    (directory / "options").write_text(options)
    start_again(directory)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def start_again(directory: Path) -> None:
    """Start a server ``start`` made and ``stop`` stopped, on the same port."""
    options = (directory / "options").read_text()
    _run([*_as_server_user(), find_binary("pg_ctl"), "-D", str(directory / "data"), "-o",
          options, "-l", str(directory / "server.log"), "-w", "start"])  # fmt: skip


def stop(directory: Path) -> None:
    data = directory / "data"
    if data.exists():
        subprocess.run(
            [*_as_server_user(), find_binary("pg_ctl"), "-D", str(data), "-m", "fast", "-w",
             "stop"],
            check=False, capture_output=True,
        )  # fmt: skip


if __name__ == "__main__":
    action, folder = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        print(start(folder))
    elif action == "stop":
        stop(folder)
    else:
        raise SystemExit("usage: python -m tests.support.postgres start|stop DIR")
