"""`make bench`: measure the budgets of the issues and write bench/report.md.

Serves the platform as in production (gunicorn, DEBUG off, compressed static files) on
127.0.0.1 with a fresh SQLite database holding the demo network, and sends a bounded load to
each measured URL from a separate process (wrk when installed, else Python processes: see
bench/loadgen.py). Then complaint submission and the staff inbox with 10,000 cases
(bench/cases.py). Then the steering budgets over a synthetic history of --history-days days
at the 46 sites: generation, rollup rebuild, indicators API and dashboards, against DuckDB on
the same tickets in Parquet (bench/indicators.py). Then the reception's budgets
(bench/reception.py) on SQLite and on a throwaway PostgreSQL cluster (bench/pg.py), each
with an empty history and with --history N past tickets of synthetic history
(generate_history, through bench/history.py), with EXPLAIN of the hot queries and a profile
of ticket issue (bench/djtasks.py). Optionally (default) also times a fresh clone to a
serving `make run`, with pip's cache disabled so that every package is downloaded. Nothing is
cached between runs. Figures are relative to this machine: compare ratios within one run.
"""

import argparse
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402
import indicators  # noqa: E402
import listening  # noqa: E402
import loadgen  # noqa: E402
import pg  # noqa: E402
import reception  # noqa: E402
import report_reception  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST, PORT = loadgen.HOST, loadgen.PORT

# (label, path, budget in KB for page + assets, p95 budget in ms)
TARGETS = [
    ("Public home page", "/", 60, 50),
    ("Public site page (Dakar)", "/espaces/DKR/", 60, 50),
    ("Public results of a site (Dakar)", "/resultats/DKR/", 60, 50),
    ("Public results of the network", "/resultats/", 60, 50),
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
    """A bounded load from a separate process (bench/loadgen.py); every answer must be 200."""
    result = loadgen.run(path, requests=requests, concurrency=concurrency, max_seconds=max_seconds)
    assert set(result["statuses"]) == {"200"}, (path, result["statuses"])
    return result


def base_env(tmp: Path) -> dict:
    env = {
        **os.environ,
        "TERANGA_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CHANNELS_SECRET": secrets.token_urlsafe(20),
        "ALLOWED_HOSTS": HOST,
        "TERANGA_HTTPS": "0",
        "TERANGA_BEHIND_PROXY": "0",
        "TERANGA_DEMO": "1",
        "SQLITE_PATH": str(tmp / "bench.sqlite3"),
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    return env


def serve(tmp: Path) -> tuple[subprocess.Popen, dict]:
    env = base_env(tmp)
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


PG_SETTINGS = {
    # A dedicated database server of this size would be tuned so; fsync and synchronous
    # commit stay on: a ticket is durable when the kiosk prints it.
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "maintenance_work_mem": "1GB",
}


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="client connections for the latency budget (one per worker)",
    )
    parser.add_argument(
        "--saturation", type=int, default=8, help="client connections for the throughput figure"
    )
    parser.add_argument(
        "--skip-install",
        action="store_true",
        help="do not time a fresh clone to a serving `make run`",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=None,
        help="past tickets generated (default 12_000_000: about 5 years at 46 sites)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small history, fewer requests: for trying things"
    )
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="sqlite, postgresql or both (default)"
    )
    parser.add_argument(
        "--no-sweep",
        dest="sweep",
        action="store_false",
        help="do not try the other gunicorn configurations",
    )
    parser.add_argument(
        "--config",
        default=reception.DEFAULT_CONFIG,
        choices=list(reception.CONFIGS),
        help="the configuration the budgets are measured with (default: as deployed)",
    )
    parser.add_argument("--skip-public", action="store_true", help="skip the public pages")
    parser.add_argument(
        "--skip-cases", action="store_true", help="skip the complaints and inbox budgets"
    )
    parser.add_argument(
        "--skip-indicators", action="store_true", help="skip the steering budgets (history)"
    )
    parser.add_argument(
        "--history-days",
        type=int,
        default=None,
        help="days of generate_history for the steering budgets (default 1826, quick 120)",
    )
    args = parser.parse_args()
    if args.history_days is None:
        args.history_days = 120 if args.quick else 1826
    if args.history is None:
        args.history = 200_000 if args.quick else 12_000_000
    if args.quick:
        args.requests = min(args.requests, 600)
        args.skip_install = True
    size = {
        "quick": args.quick,
        "requests": 800 if args.quick else 4000,
        "sweep_requests": 600 if args.quick else 3000,
        "seconds": 4 if args.quick else 12,
        "sweep_seconds": 3 if args.quick else 8,
        "profile": 100 if args.quick else 300,
    }

    info = machine()
    info["Load generator"] = _wrk_version()
    rows, weights, backends = [], [], []
    listening_result = None
    with tempfile.TemporaryDirectory(prefix="teranga-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_public:
            log("public pages")
            server, public_env = serve(tmp)
            try:
                for label, path, kb_budget, p95_budget in TARGETS:
                    total, parts = page_weight(path)
                    load(path, requests=100, concurrency=2, max_seconds=2)  # warm-up
                    figures = load(
                        path,
                        requests=args.requests,
                        concurrency=args.concurrency,
                        max_seconds=size["seconds"],
                    )
                    saturated = load(
                        path,
                        requests=args.requests,
                        concurrency=args.saturation,
                        max_seconds=size["seconds"],
                    )
                    rows.append((label, path, total, kb_budget, figures, saturated, p95_budget))
                    weights.append((label, parts))
                log("listening: ratings and USSD")
                listening_result = _guarded(
                    lambda _label: listening.measure(
                        host=HOST,
                        port=PORT,
                        python=str(VENV_BIN / "python"),
                        root=ROOT,
                        env=public_env,
                        page_weight=page_weight,
                        seconds=size["seconds"] + 3,
                    ),
                    "listening",
                )
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
        else:
            env = base_env(tmp)
            sh(str(VENV_BIN / "python"), "manage.py", "collectstatic", "--no-input", "-v0", env=env)
            sh(str(VENV_BIN / "pybabel"), "-q", "compile", "-d", "locale", "-D", "django", env=env)
        cases_result = None
        if not args.skip_cases:
            log("complaints and inbox")
            try:
                cases_result = cases.bench_cases(
                    base_env(tmp), tmp, log, requests=args.requests, seconds=size["seconds"]
                )
            except Exception as exc:  # noqa: BLE001 — reported, not fatal to the rest
                cases_result = {"error": f"the bench failed: {exc!r}"[:1500]}
        indicators_result = None
        if not args.skip_indicators:
            log("steering: indicators over a synthetic history")
            indicators_result = _guarded(
                lambda _label: indicators.bench_indicators(
                    base_env(tmp),
                    tmp,
                    log,
                    days=args.history_days,
                    requests=args.requests,
                    seconds=size["seconds"],
                ),
                "indicators",
            )
        wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
        if "sqlite" in wanted:

            def sqlite_db(phase: str) -> dict:
                path = tmp / f"reception-{phase}.sqlite3"
                for f in tmp.glob(f"reception-{phase}.sqlite3*"):
                    f.unlink()
                return {"SQLITE_PATH": str(path)}

            backends.append(
                _guarded(
                    reception.bench_backend, "SQLite", base_env(tmp), sqlite_db, args, size, log
                )
            )
            for f in tmp.glob("reception-*.sqlite3*"):
                f.unlink()
        if "postgresql" in wanted:
            if pg.pg_bin() is None:
                backends.append({"backend": "PostgreSQL", "error": "PostgreSQL not installed"})
            else:
                with pg.cluster(PG_SETTINGS) as (fresh_database, version, pg_pids):
                    info["PostgreSQL"] = (
                        f"{version}, throwaway cluster on a unix socket, "
                        + ", ".join(f"{k}={v}" for k, v in PG_SETTINGS.items())
                    )
                    backends.append(
                        _guarded(
                            reception.bench_backend,
                            "PostgreSQL",
                            base_env(tmp),
                            lambda phase: {"DATABASE_URL": fresh_database(f"bench_{phase}")},
                            args,
                            size,
                            log,
                            pg_pids,
                        )
                    )
    install = None if args.skip_install else time_fresh_install()

    lines = [
        "# Teranga — benchmark report",
        "",
        f"Generated by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        + (f" (`{' '.join(sys.argv[1:])}`)." if sys.argv[1:] else "."),
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
    ]
    lines += report_reception.render(backends, args, size)
    lines += cases.render(cases_result)
    lines += indicators.render(indicators_result)
    lines += ["## Public pages and API under local load", ""]
    if args.skip_public:
        lines += ["Skipped (`--skip-public`).", ""]
    else:
        lines += [
            "gunicorn, 2 sync workers, production settings, SQLite with the demo network "
            f"(46 sites, 30 procedures), no cache. For each URL, {args.requests} requests over "
            f"{args.concurrency} keep-alive connections from 127.0.0.1 (one per worker: the "
            f"latency budget), then {args.requests} over {args.saturation} (saturation: "
            "throughput, and what queueing does to p95), after 100 warm-up requests. Load "
            f"generator: {info['Load generator']}, in its own process on the same 2 cores. "
            "Transfer = headers + gzip body of the page and of every CSS/JS/image it links.",
            "",
            "| URL | transferred | budget | median | p95 | max | p95 budget "
            f"| req/s at {args.saturation} | p95 at {args.saturation} |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, path, total, kb_budget, f, sat, p95_budget in rows:
            budget = (
                f"{kb_budget} KB {'✅' if total <= kb_budget * 1024 else '❌'}"
                if kb_budget
                else "—"
            )
            ok = "✅" if f["p95_ms"] <= p95_budget else "❌"
            lines.append(
                f"| {label} `{path}` | {total / 1024:.1f} KB | {budget} "
                f"| {f['median_ms']:.1f} ms | {f['p95_ms']:.1f} ms | {f['max_ms']:.1f} ms "
                f"| {p95_budget} ms {ok} | {sat['rps']:.0f} | {sat['p95_ms']:.1f} ms |"
            )
        lines += ["", "### What the pages weigh", ""]
        for label, parts in weights:
            lines.append(f"- {label}: " + ", ".join(f"`{p}` {w / 1024:.1f} KB" for p, w in parts))
        lines.append("")
    lines += listening.render(listening_result)
    lines += ["## Fresh clone to serving (`make run`)", ""]
    if install is None:
        lines.append("Skipped (`--skip-install`" + (" / `--quick`)." if args.quick else ")."))
    elif install["seconds"] is None:
        lines.append("❌ `make run` did not serve within 10 minutes.")
    else:
        s = install["seconds"]
        lines.append(
            f"{s:.0f} s from `git clone` to the home page answering, pip cache "
            f"disabled (every package downloaded), budget 180 s "
            f"{'✅' if s <= 180 else '❌'}."
        )
    notes = ROOT / "bench" / "notes.md"
    if notes.exists():
        # Hand-written reading of a past run (its date is in it): kept next to fresh figures.
        lines += ["", notes.read_text(encoding="utf-8").rstrip()]
    report = ROOT / "bench" / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (ROOT / "bench" / "report.json").write_text(
        json.dumps(
            {
                "machine": info,
                "backends": backends,
                "cases": cases_result,
                "indicators": indicators_result,
            },
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    print("\n".join(lines))


def _guarded(fn, backend, *args):
    """One backend's failure is reported, not fatal to the other's figures."""
    try:
        return fn(backend, *args)
    except Exception as exc:  # noqa: BLE001
        import traceback

        log(traceback.format_exc())
        return {"backend": backend, "error": f"the bench failed: {exc!r}"[:1500]}


def _wrk_version() -> str:
    if not loadgen.wrk_available():
        return (
            "Python (multiprocessing, http.client): `wrk` is not installed (apt-get install -y wrk)"
        )
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[
        0
    ] + " (1 thread, Lua script for the POST bodies)"


if __name__ == "__main__":
    if shutil.which("git") is None:
        sys.exit("git is needed")
    main()
