"""A throwaway PostgreSQL cluster for the bench, as .ci/run starts one: initdb and pg_ctl run
as the postgres user (runuser, when the bench runs as root), trust authentication, a unix
socket in a temporary directory and no TCP listener. Stopped (fast) and deleted at the end."""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

# BENCH_PG_PORT / BENCH_PG_DIR: another port and parent directory when several benches share
# the machine.
PORT = int(os.environ.get("BENCH_PG_PORT", "5439"))


def _parent() -> str | None:
    parent = os.environ.get("BENCH_PG_DIR")
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    return parent or None


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _as_postgres(*args: str) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


@contextmanager
def cluster(settings: dict[str, str] | None = None):
    """Yields (a function making a fresh database and returning its URL, the server version,
    a function listing the server's processes)."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (/usr/lib/postgresql/*/bin)")
    tmp = Path(tempfile.mkdtemp(prefix="teranga-bench-pg-", dir=_parent()))
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    data, log = tmp / "data", tmp / "log"
    subprocess.run(
        _as_postgres(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-E", "UTF8"),
        check=True,
        capture_output=True,
    )
    options = {"listen_addresses": "''", **(settings or {})}
    opts = f"-p {PORT} -k {tmp} " + " ".join(f"-c {k}={v}" for k, v in options.items())
    subprocess.run(
        _as_postgres(
            str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", opts, "start"
        ),
        check=True,
        capture_output=True,
    )
    base = f"postgres://postgres@{quote(str(tmp), safe='')}:{PORT}"

    def psql(sql: str) -> str:
        return subprocess.run(
            _as_postgres(
                str(bindir / "psql"),
                "-h",
                str(tmp),
                "-p",
                str(PORT),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-XAtqc",
                sql,
            ),
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def fresh_database(name: str) -> str:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(f"CREATE DATABASE {name}")
        return f"{base}/{name}"

    def server_pids() -> list[int]:
        """The postmaster and its children (backends, checkpointer, WAL writer…)."""
        try:
            master = int((data / "postmaster.pid").read_text().split()[0])
            kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            return [master, *map(int, kids)]
        except (OSError, ValueError, IndexError):
            return []

    try:
        yield fresh_database, psql("SHOW server_version"), server_pids
    finally:
        subprocess.run(
            _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"),
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)
