"""The reception's budgets, measured on one database backend (SQLite or PostgreSQL), first with
an empty history, then with N past tickets: ticket issue over HTTP, the display queue, the
manager's live view, the weight of the kiosk, display and ticket pages, EXPLAIN of the hot
queries and a profile of ticket issue. Used by bench/run.py."""

import contextlib
import gzip
import http.client
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

import loadgen

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST, PORT = loadgen.HOST, loadgen.PORT
SITE = "DKR"
MANAGER, AGENT, PASSWORD = "chef.bench", "agent.bench", "bench-pass-2026-long"

# gunicorn configurations tried for ticket issue (name -> extra command-line arguments)
CONFIGS = {
    "2 sync workers": ["-w", "2"],
    "4 sync workers": ["-w", "4"],
    "2 gthread workers × 4 threads": ["-w", "2", "-k", "gthread", "--threads", "4"],
    # One request at a time per process like sync workers, but keep-alive connections (a sync
    # worker closes the connection after each answer, so every request pays a TCP accept).
    "2 gthread workers × 1 thread": ["-w", "2", "-k", "gthread", "--threads", "1"],
}
# The budgets are measured as deployed (deploy/README.md); the others are for information. A
# gthread worker keeps each keep-alive connection on the worker that accepted it, so with few
# connections the two workers' shares of the load (and the figures) depend on the draw.
DEFAULT_CONFIG = "2 sync workers"


def sh(*args, env) -> str:
    return subprocess.run(
        args, cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def manage(env, *args) -> str:
    return sh(str(VENV_BIN / "python"), "manage.py", *args, env=env)


def task(env, *args, timeout=7200) -> dict:
    out = subprocess.run(
        [str(VENV_BIN / "python"), str(ROOT / "bench" / "djtasks.py"), *map(str, args)],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"djtasks {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(env) -> dict:
    """A fresh database: schema, the demo network, a kiosk of DKR, a site manager and an
    agent (with an API token) for DKR."""
    manage(env, "migrate", "--no-input", "-v0")
    seed_error = None
    try:
        manage(env, "seed_demo")
    except subprocess.CalledProcessError as exc:
        # Keep measuring (the network and users are loaded before the demo morning), and say so.
        lines = [ln for ln in (exc.stderr or "").splitlines() if ln.strip()]
        seed_error = lines[-1] if lines else f"exit status {exc.returncode}"
    token = (
        manage(env, "create_device", "--site", SITE, "--kind", "kiosk", "--name", "Bench kiosk")
        .strip()
        .splitlines()[-1]
    )
    manage(env, "grant_role", MANAGER, "site_manager", "--site", SITE, "--password", PASSWORD)
    manage(env, "grant_role", AGENT, "agent", "--site", SITE, "--password", PASSWORD)
    agent_token = manage(env, "create_api_token", AGENT).strip().splitlines()[-1]
    return {"token": token, "agent_token": agent_token, "seed_error": seed_error}


# --- the server ------------------------------------------------------------------------------


class Server:
    def __init__(self, env, config: str):
        self.config = config
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "teranga.wsgi",
                "-b",
                f"{HOST}:{PORT}",
                *CONFIGS[config],
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for _ in range(200):
            try:
                if request("GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.3)

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [self.proc.pid, *map(int, children.read_text().split())]
        except OSError:
            return [self.proc.pid]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def request(method, path, body=None, headers=None):
    """(status, bytes on the wire, decoded body, headers dict, raw header list)."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=20)
    hdrs = {"Host": HOST, "Accept-Encoding": "gzip", **(headers or {})}
    conn.request(method, path, body=body, headers=hdrs)
    response = conn.getresponse()
    raw = response.read()
    header_list = response.getheaders()
    conn.close()
    headers_d = {k.lower(): v for k, v in header_list}
    wire = len(raw) + sum(len(k) + len(v) + 4 for k, v in header_list) + 17
    body_out = gzip.decompress(raw) if headers_d.get("content-encoding") == "gzip" else raw
    return response.status, wire, body_out, headers_d, header_list


def page_weight(path: str) -> dict:
    """Page + every /static/ asset it links + the images it shows (e.g. the ticket's QR)."""
    status, wire, body, _, _ = request("GET", path)
    if status != 200:
        return {"path": path, "status": status, "total": None, "parts": []}
    parts = [(path, wire)]
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', body)
    assets += re.findall(rb'<img[^>]+src="(/[^"]+)"', body)
    for asset in dict.fromkeys(a.decode() for a in assets):
        if any(p == asset for p, _ in parts):
            continue
        a_status, a_wire, _, _, _ = request("GET", asset)
        parts.append((asset if a_status == 200 else f"{asset} ({a_status})", a_wire))
    return {"path": path, "status": 200, "total": sum(w for _, w in parts), "parts": parts}


def login(username: str, password: str) -> str:
    """Log in through /connexion/ as a browser would; returns the Cookie header value."""
    status, _, body, _, header_list = request("GET", "/connexion/")
    cookies = _cookies(header_list)
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": username, "password": password}
    )
    status, _, _, _, header_list = request(
        "POST",
        "/connexion/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"http://{HOST}:{PORT}/connexion/",
        },
    )
    cookies.update(_cookies(header_list))
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login failed ({status})")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(header_list) -> dict:
    out = {}
    for k, v in header_list:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            out[name.strip()] = rest.split(";", 1)[0]
    return out


# --- one phase: a served database, every measurement ------------------------------------------


def _procedures() -> list[str]:
    status, _, body, _, _ = request("GET", f"/api/v1/procedures?site={SITE}")
    assert status == 200, status
    return [p["code"] for p in json.loads(body)]


def measure_issue(server: Server, env, creds, size: dict) -> dict:
    """Health and ticket issue in the same server run, 8 connections (saturation), then the
    issue at 2 (one per sync worker: latency without queueing)."""
    procedures = _procedures()
    auth = {"Authorization": f"Bearer {creds['token']}"}
    issue_path = f"/api/v1/sites/{SITE}/tickets"
    task(env, "queue-set", SITE, 20)
    common = {
        "server_pids": server.pids(),
        "db_pids": _db_pids(),
        "max_seconds": size["seconds"],
    }
    sweep_seconds = size.get("sweep_seconds")
    if sweep_seconds:
        common["max_seconds"] = sweep_seconds
    loadgen.run(
        issue_path,
        method="POST",
        headers=auth,
        procedures=procedures,
        requests=100,
        concurrency=8,
        max_seconds=2,
    )  # warm-up
    loadgen.run("/api/v1/health", requests=200, concurrency=8, max_seconds=2)
    health = loadgen.run("/api/v1/health", requests=size["requests"], concurrency=8, **common)
    issue8 = loadgen.run(
        issue_path,
        method="POST",
        headers=auth,
        procedures=procedures,
        requests=size["requests"],
        concurrency=8,
        **common,
    )
    issue2 = loadgen.run(
        issue_path,
        method="POST",
        headers=auth,
        procedures=procedures,
        requests=size["requests"] // 2,
        concurrency=2,
        **common,
    )
    waiting_after = task(env, "queue-set", SITE, -1)["waiting"]
    return {"health8": health, "issue8": issue8, "issue2": issue2, "waiting_after": waiting_after}


def measure_phase(env, creds, config: str, size: dict, *, with_pages: bool) -> dict:
    out = {"config": config}
    server = Server(env, config)
    try:
        pids = server.pids()
        queue_path = f"/api/v1/sites/{SITE}/queue"
        for waiting in (20, 200):
            state = task(env, "queue-set", SITE, waiting)
            loadgen.run(queue_path, requests=100, concurrency=2, max_seconds=2)
            out[f"queue{waiting}"] = {
                **loadgen.run(
                    queue_path,
                    requests=size["requests"],
                    concurrency=2,
                    max_seconds=size["seconds"],
                    server_pids=pids,
                    db_pids=_db_pids(),
                ),
                "queries": state["queue_queries"],
                "waiting": state["waiting"],
            }
        out["queue200_8"] = loadgen.run(
            queue_path,
            requests=size["requests"],
            concurrency=8,
            max_seconds=size["seconds"],
            server_pids=pids,
            db_pids=_db_pids(),
        )
        cookie = login(MANAGER, PASSWORD)
        live_path = f"/accueil/{SITE}/direct/"
        loadgen.run(
            live_path, headers={"Cookie": cookie}, requests=20, concurrency=2, max_seconds=2
        )
        out["live_http"] = loadgen.run(
            live_path,
            headers={"Cookie": cookie},
            requests=size["requests"] // 4,
            concurrency=2,
            max_seconds=size["seconds"],
            server_pids=pids,
            db_pids=_db_pids(),
        )
        out["live_inprocess"] = task(env, "live", SITE, 30 if size["quick"] else 100)
        if with_pages:
            out["pages"] = pages(creds)
        out.update(measure_issue(server, env, creds, size))
    finally:
        server.stop()
    return out


def pages(creds) -> dict:
    status, _, body, _, _ = request(
        "POST",
        f"/api/v1/sites/{SITE}/tickets",
        body=json.dumps(
            {
                "procedure": _procedures()[0],
                "client_id": "00000000-0000-4000-8000-" + os.urandom(6).hex(),
            }
        ),
        headers={"Authorization": f"Bearer {creds['token']}", "Content-Type": "application/json"},
    )
    ticket_path = urllib.parse.urlparse(json.loads(body)["tracking_url"]).path
    out = {}
    for label, path in (
        ("Kiosk", f"/accueil/{SITE}/borne/"),
        ("Display screen", f"/accueil/{SITE}/ecran/"),
        ("Ticket on a phone", ticket_path),
    ):
        try:
            out[label] = page_weight(path)
        except OSError as exc:
            out[label] = {"path": path, "status": str(exc), "total": None, "parts": []}
    return out


def sweep(env, creds, size: dict) -> dict:
    """Ticket issue and health at 8 connections under each gunicorn configuration."""
    results = {}
    for config in CONFIGS:
        server = Server(env, config)
        try:
            results[config] = measure_issue(
                server,
                env,
                creds,
                {
                    **size,
                    "requests": size["sweep_requests"],
                    "sweep_seconds": size["sweep_seconds"],
                },
            )
        finally:
            server.stop()
    return results


_db_pids = list  # the database server's processes (PostgreSQL), for its CPU seconds


def bench_backend(
    backend: str, base_env: dict, database_env, args, size: dict, log, db_pids=list
) -> dict:
    global _db_pids
    _db_pids = db_pids
    """database_env(phase) -> env additions for a fresh database of that phase."""
    result = {"backend": backend}
    env = {**base_env, **database_env("empty")}
    log(f"[{backend}] empty database: migrate, seed_demo, devices")
    creds = prepare(env)
    if creds["seed_error"]:
        result["seed_error"] = creds["seed_error"]
        log(f"[{backend}] seed_demo failed: {creds['seed_error']}")
    config = args.config
    if args.sweep:
        log(f"[{backend}] gunicorn configurations")
        result["sweep"] = sweep(env, creds, size)
    result["config"] = config
    log(f"[{backend}] empty database: measuring with {config}")
    result["empty"] = measure_phase(env, creds, config, size, with_pages=True)
    result["empty_profile"] = task(env, "profile", SITE, creds["token"], size["profile"])

    env = {**base_env, **database_env("history")}
    log(f"[{backend}] history database: migrate, seed_demo, devices")
    creds = prepare(env)
    log(f"[{backend}] loading {args.history:,} past tickets")
    result["history_load"] = task(env, "history", args.history)
    log(f"[{backend}] history loaded: {result['history_load']}")
    # The plans first, on a realistic day (the demo morning and 200 waiting): the issue runs
    # below leave thousands of today's tickets at DKR, which a statement on today's rows reads.
    log(f"[{backend}] EXPLAIN of the hot queries")
    task(env, "queue-set", SITE, 200)
    _task_kept(
        result, "explain", log, env, "explain", SITE, creds["token"], creds["agent_token"], MANAGER
    )
    log(f"[{backend}] history database: measuring with {config}")
    result["history"] = measure_phase(env, creds, config, size, with_pages=False)
    log(f"[{backend}] profile of ticket issue")
    task(env, "queue-set", SITE, 200)
    _task_kept(
        result, "history_profile", log, env, "profile", SITE, creds["token"], size["profile"]
    )
    return result


def _task_kept(result: dict, key: str, log, env, *args) -> None:
    """result[key] = the task's answer; if it fails, say so and keep what was measured."""
    try:
        result[key] = task(env, *args)
    except RuntimeError as exc:
        log(str(exc))
        result[f"{key}_error"] = str(exc)[-2000:]
