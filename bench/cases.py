"""Budgets of the complaints issue: complaint submission p95 ≤ 40 ms; the staff inbox with
10,000 cases at the site p95 ≤ 100 ms, with a query count that does not grow with the cases.

gunicorn with 2 sync workers and production settings on a fresh SQLite database with the demo
network; 10,000 cases are bulk-loaded at Dakar (a third of them open, some overdue). The
complaint load is Python processes posting fresh bodies (each its own client_id); the inbox
load goes through loadgen (wrk when installed) with a logged-in site manager's cookie.
"""

import http.client
import json
import multiprocessing
import statistics
import subprocess
import time
import uuid
from pathlib import Path

import loadgen
import reception

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST, PORT = loadgen.HOST, loadgen.PORT
SUBMIT_BUDGET_MS, INBOX_BUDGET_MS = 40, 100
CASES = 10_000

LOAD_CASES = """
import random, uuid
from datetime import timedelta
from django.utils import timezone
from teranga.cases.models import Case
from teranga.cases.services import tracking_hash
from teranga.network.models import Site
site = Site.objects.get(code="DKR")
rng = random.Random(7)
now, today = timezone.now(), timezone.localdate()
rows = []
for i in range({n}):
    age = rng.randint(0, 400)
    status = rng.choice(["received", "in_progress"]) if i % 3 == 0 else "closed"
    due = today + timedelta(days=21 - age % 40)
    reference = f"R-DKR-2025-{{i + 50000:05d}}"
    rows.append(Case(site=site, reference=reference, tracking_hash=tracking_hash(reference, "X"),
        kind=rng.choice(["complaint", "suggestion", "compliment"]),
        channel=rng.choice(["web", "sms", "counter", "letter", "email"]),
        message="bench", filed_at=now - timedelta(days=age), due_on_initial=due, due_on=due,
        status=status, is_open=status != "closed", client_id=uuid.uuid4()))
Case.objects.bulk_create(rows, batch_size=1000)
print(Case.objects.filter(site=site).count())
"""

COUNT_QUERIES = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from teranga.network.models import User
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="chef.dkr"))
out = {{}}
for label, query in {views!r}:
    client.get("/espace-pro/dossiers/DKR/" + query)
    with CaptureQueriesContext(connection) as ctx:
        status = client.get("/espace-pro/dossiers/DKR/" + query).status_code
    assert status == 200, status
    out[label] = len(ctx.captured_queries)
print("QUERIES", json.dumps(out))
"""

VIEWS = [
    ("open cases (default)", ""),
    ("all cases, latest first", "?status="),
    ("overdue", "?due=overdue"),
    ("complaints by letter", "?kind=complaint&channel=letter"),
]


def _manage(env, *args) -> str:
    return subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _queries(env) -> dict:
    out = _manage(env, "shell", "-c", COUNT_QUERIES.format(views=VIEWS))
    line = next(ln for ln in out.splitlines() if ln.startswith("QUERIES "))
    return json.loads(line.split(" ", 1)[1])


def _post_worker(job) -> tuple[list[float], dict[str, int]]:
    count, deadline, seed = job
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    latencies, statuses = [], {}
    for i in range(count):
        if time.time() > deadline:
            break
        body = json.dumps(
            {
                "site": "DKR",
                "kind": ("complaint", "suggestion", "compliment")[(seed + i) % 3],
                "message": "L'attente était trop longue ce matin au guichet B.",
                "client_id": str(uuid.uuid4()),
            }
        )
        start = time.perf_counter()
        conn.request(
            "POST",
            "/api/v1/complaints",
            body=body,
            headers={"Host": HOST, "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
    conn.close()
    return latencies, statuses


def _submit(requests: int, concurrency: int, max_seconds: float) -> dict:
    deadline = time.time() + max_seconds
    per = max(1, requests // concurrency)
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(concurrency) as pool:
        results = pool.map(_post_worker, [(per, deadline, k) for k in range(concurrency)])
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    statuses: dict[str, int] = {}
    for _, st in results:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "n": len(latencies),
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
        "max_ms": latencies[-1] * 1000,
        "rps": len(latencies) / elapsed,
        "statuses": statuses,
    }


def bench_cases(env: dict, tmp: Path, log, *, requests: int, seconds: float) -> dict:
    env = {**env, "SQLITE_PATH": str(tmp / "cases.sqlite3")}
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "seed_demo")
    result = {"queries_demo": _queries(env)}
    log(f"cases: loading {CASES} cases at DKR")
    result["cases_at_site"] = int(
        _manage(env, "shell", "-c", LOAD_CASES.format(n=CASES)).split()[-1]
    )
    result["queries_loaded"] = _queries(env)
    server = reception.Server(env, reception.DEFAULT_CONFIG)
    try:
        log("cases: complaint submission")
        _submit(100, 2, 5)  # warm-up
        result["submit"] = _submit(requests, 2, seconds)
        cookie = reception.login("chef.dkr", "teranga-demo-2026")
        result["inbox"] = {}
        for label, query in VIEWS:
            log(f"cases: inbox, {label}")
            path = "/espace-pro/dossiers/DKR/" + query
            headers = {"Cookie": cookie}
            loadgen.run(path, headers=headers, requests=50, concurrency=2, max_seconds=2)
            figures = loadgen.run(
                path, headers=headers, requests=requests, concurrency=2, max_seconds=seconds
            )
            assert set(figures["statuses"]) == {"200"}, figures["statuses"]
            result["inbox"][label] = figures
    finally:
        server.stop()
    return result


def render(result: dict | None) -> list[str]:
    lines = ["## Complaints and tracked requests", ""]
    if result is None:
        return lines + ["Skipped (`--skip-cases`).", ""]
    if "error" in result:
        return lines + [f"❌ {result['error']}", ""]
    s = result["submit"]
    ok = "✅" if s["p95_ms"] <= SUBMIT_BUDGET_MS else "❌"
    lines += [
        "gunicorn, 2 sync workers, production settings, SQLite, the demo network; 2 client "
        f"connections. {result['cases_at_site']} cases at Dakar for the inbox.",
        "",
        "| measure | n | median | p95 | max | budget | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| `POST /api/v1/complaints` (fresh client_id each) | {s['n']} | {s['median_ms']:.1f} ms "
        f"| {s['p95_ms']:.1f} ms | {s['max_ms']:.1f} ms | {SUBMIT_BUDGET_MS} ms {ok} "
        f"| {s['rps']:.0f} |",
    ]
    for label, f in result["inbox"].items():
        ok = "✅" if f["p95_ms"] <= INBOX_BUDGET_MS else "❌"
        lines.append(
            f"| inbox, {label} | {f['n']} | {f['median_ms']:.1f} ms | {f['p95_ms']:.1f} ms "
            f"| {f['max_ms']:.1f} ms | {INBOX_BUDGET_MS} ms {ok} | {f['rps']:.0f} |"
        )
    lines += [
        "",
        "Queries per inbox page (whole request: session, user, roles, calendar, page, counts, "
        "alerts) with the demo's dozen cases and with the loaded site:",
        "",
        "| view | demo | loaded | constant |",
        "|---|---:|---:|---|",
    ]
    for label, _query in VIEWS:
        a, b = result["queries_demo"][label], result["queries_loaded"][label]
        lines.append(f"| {label} | {a} | {b} | {'✅' if a == b else '❌'} |")
    return lines + [""]
