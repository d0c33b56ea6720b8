"""`make bench`: measure the budgets of the issues and write bench/report.md.

Serves the platform as in production (gunicorn, DEBUG off, compressed static files) on
127.0.0.1 with a fresh SQLite database holding the demo network, then, from this process,
sends a bounded load to each measured URL. Optionally (default) also times a fresh clone to a
serving `make run`, with pip's cache disabled so that every package is downloaded.
Figures are relative to this machine: compare ratios within one run.
"""

import argparse
import gzip
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST, PORT = "127.0.0.1", 8765

# (label, path, budget in KB for page + assets, p95 budget in ms)
TARGETS = [
    ("Public home page", "/", 60, 50),
    ("Public site page (Dakar)", "/espaces/DKR/", 60, 50),
    ("API: GET /api/v1/sites", "/api/v1/sites", None, 50),
]


def sh(*args, env=None, **kwargs) -> str:
    return subprocess.run(
        args, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kwargs
    ).stdout


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    load = os.getloadavg()
    return {
        "CPU": f"{cpu} × {os.cpu_count()} cores",
        "Memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Load average before the run": f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}",
    }


def get(path: str, conn=None) -> tuple[int, int, bytes, dict]:
    """(status, bytes on the wire: headers + gzip body, decoded body, headers)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, PORT, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip", "Host": HOST})
    response = conn.getresponse()
    raw = response.read()
    headers = dict(response.getheaders())
    wire = len(raw) + sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
    body = gzip.decompress(raw) if headers.get("Content-Encoding") == "gzip" else raw
    if own:
        conn.close()
    return response.status, wire, body, headers


def page_weight(path: str) -> tuple[int, list[tuple[str, int]]]:
    status, wire, body, _ = get(path)
    assert status == 200, (path, status)
    parts = [(path, wire)]
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', body):
        asset_status, asset_wire, _, _ = get(asset.decode())
        assert asset_status == 200, asset
        parts.append((asset.decode(), asset_wire))
    return sum(w for _, w in parts), parts


def load(path: str, *, requests: int, concurrency: int, max_seconds: float) -> dict:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    per_thread = requests // concurrency

    def worker():
        conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
        mine = []
        for _ in range(per_thread):
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            status, *_ = get(path, conn)
            mine.append(time.perf_counter() - start)
            assert status == 200, status
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "n": len(latencies),
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
        "rps": len(latencies) / elapsed,
    }


def serve(tmp: Path) -> tuple[subprocess.Popen, dict]:
    env = {
        **os.environ,
        "TERANGA_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "TERANGA_HTTPS": "0",
        "TERANGA_BEHIND_PROXY": "0",
        "TERANGA_DEMO": "1",
        "SQLITE_PATH": str(tmp / "bench.sqlite3"),
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    py = str(VENV_BIN / "python")
    sh(py, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
    sh(str(VENV_BIN / "pybabel"), "-q", "compile", "-d", "locale", "-D", "django", env=env)
    sh(py, "manage.py", "migrate", "--no-input", "-v0", env=env)
    sh(py, "manage.py", "seed_demo", env=env)
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "teranga.wsgi",
            "-b",
            f"{HOST}:{PORT}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            if get("/api/v1/health")[0] == 200:
                return server, env
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def time_fresh_install() -> dict:
    """Clone the committed tree and time `make run` until the platform answers."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "teranga"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV",))}
        env.update({"PIP_NO_CACHE_DIR": "1", "PORT": "8766"})
        start = time.monotonic()
        proc = subprocess.Popen(
            ["make", "run", "PORT=8766"],
            cwd=clone,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        seconds = None
        try:
            while time.monotonic() - start < 600 and proc.poll() is None:
                try:
                    conn = http.client.HTTPConnection(HOST, 8766, timeout=2)
                    conn.request("GET", "/")
                    if conn.getresponse().status == 200:
                        seconds = time.monotonic() - start
                        break
                except OSError:
                    time.sleep(0.5)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        return {"seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="client threads for the latency budget (one per worker)",
    )
    parser.add_argument(
        "--saturation", type=int, default=8, help="client threads for the throughput figure"
    )
    parser.add_argument(
        "--skip-install",
        action="store_true",
        help="do not time a fresh clone to a serving `make run`",
    )
    args = parser.parse_args()

    info = machine()
    rows, weights = [], []
    with tempfile.TemporaryDirectory() as tmp:
        server, _ = serve(Path(tmp))
        try:
            for label, path, kb_budget, p95_budget in TARGETS:
                total, parts = page_weight(path)
                load(path, requests=100, concurrency=2, max_seconds=20)  # warm-up
                figures = load(
                    path, requests=args.requests, concurrency=args.concurrency, max_seconds=120
                )
                saturated = load(
                    path, requests=args.requests, concurrency=args.saturation, max_seconds=120
                )
                rows.append((label, path, total, kb_budget, figures, saturated, p95_budget))
                weights.append((label, parts))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    install = None if args.skip_install else time_fresh_install()

    lines = [
        "# Teranga — benchmark report",
        "",
        f"Generated by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "## Public pages and API under local load",
        "",
        "gunicorn, 2 sync workers, production settings, SQLite with the demo network "
        f"(46 sites, 30 procedures), no cache. For each URL, {args.requests} requests from "
        f"{args.concurrency} client threads on 127.0.0.1 (one per worker: the latency "
        f"budget), then {args.requests} from {args.saturation} threads (saturation: "
        "throughput, and what queueing does to p95), after 100 warm-up requests. The load "
        "generator is Python and shares the 2 cores with the server. Transfer = headers + "
        "gzip body of the page and of every CSS/JS/image it links.",
        "",
        "| URL | transferred | budget | median | p95 | max | p95 budget "
        f"| req/s at {args.saturation} | p95 at {args.saturation} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path, total, kb_budget, f, sat, p95_budget in rows:
        budget = (
            f"{kb_budget} KB {'✅' if total <= kb_budget * 1024 else '❌'}" if kb_budget else "—"
        )
        ok = "✅" if f["p95_ms"] <= p95_budget else "❌"
        lines.append(
            f"| {label} `{path}` | {total / 1024:.1f} KB | {budget} | {f['median_ms']:.1f} ms "
            f"| {f['p95_ms']:.1f} ms | {f['max_ms']:.1f} ms | {p95_budget} ms {ok} "
            f"| {sat['rps']:.0f} | {sat['p95_ms']:.1f} ms |"
        )
    lines += ["", "### What the pages weigh", ""]
    for label, parts in weights:
        lines.append(f"- {label}: " + ", ".join(f"`{p}` {w / 1024:.1f} KB" for p, w in parts))
    lines += ["", "## Fresh clone to serving (`make run`)", ""]
    if install is None:
        lines.append("Skipped (`--skip-install`).")
    elif install["seconds"] is None:
        lines.append("❌ `make run` did not serve within 10 minutes.")
    else:
        s = install["seconds"]
        lines.append(
            f"{s:.0f} s from `git clone` to the home page answering, pip cache "
            f"disabled (every package downloaded), budget 180 s "
            f"{'✅' if s <= 180 else '❌'}."
        )
    report = ROOT / "bench" / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    if shutil.which("git") is None:
        sys.exit("git is needed")
    main()
