"""The listening budgets (issue 4), against the production-like server of the public pages
(gunicorn, 2 workers, SQLite with the demo): a rating submission and USSD callbacks sent at a
fixed rate (open loop, as users and an aggregator do: a slow answer does not slow the
arrivals), and the weight of the QR form and tablet pages.

Latency is measured from the moment each request was due, so queueing in the client counts
against the server rather than hiding (no coordinated omission)."""

import http.client
import json
import statistics
import subprocess
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

RATE = 50  # requests per second, the load for submissions
SESSION_STEPS = ["", "1", "1*0", "1*0*1", "1*0*1*2", "1*0*1*2*4", "1*0*1*2*4*1", "1*0*1*2*4*1*1"]


def _open_loop(host, port, make_request, *, rate: float, seconds: float) -> dict:
    """Send make_request(i) -> (method, path, body, headers) at `rate` per second."""
    total = int(rate * seconds)
    local = threading.local()
    latencies, statuses, lock = [], {}, threading.Lock()
    start = time.perf_counter() + 0.2

    def one(i: int) -> None:
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(host, port, timeout=10)
        method, path, body, headers = make_request(i)
        try:
            conn.request(method, path, body=body, headers={"Host": host, **headers})
            response = conn.getresponse()
            response.read()
            status = str(response.status)
        except (OSError, http.client.HTTPException):
            local.conn = None
            status = "error"
        elapsed = (time.perf_counter() - due) * 1000
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(one, range(total)))
    took = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": total,
        "rate": rate,
        "achieved_rps": total / took,
        "statuses": statuses,
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "max_ms": latencies[-1],
    }


def _form_token(python: str, root, env) -> str:
    code = (
        "from teranga.network.models import Site; from teranga.listening.api import form_token;"
        "print(form_token(Site.objects.get(code='DKR')))"
    )
    out = subprocess.run(
        [python, "manage.py", "shell", "-c", code],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def measure(*, host, port, python, root, env, page_weight, seconds: float) -> dict:
    token = _form_token(python, root, env)
    secret = urllib.parse.quote(env["CHANNELS_SECRET"])

    def submission(i):
        body = {
            "client_id": str(uuid.uuid4()),
            "site": "DKR",
            "channel": "qr",
            "rating": 1 + i % 5,
            "wait_ok": i % 3 == 0,
            "token": token,
        }
        return (
            "POST",
            "/api/v1/feedback/responses",
            json.dumps(body),
            {"Content-Type": "application/json"},
        )

    def ussd(i):
        session, step = divmod(i, len(SESSION_STEPS))
        form = {
            "sessionId": f"bench-{session}",
            "serviceCode": "*384*46#",
            "phoneNumber": f"+22177{session % 10_000_000:07d}",
            "networkCode": "60801",
            "text": SESSION_STEPS[step],
        }
        return (
            "POST",
            f"/api/v1/channels/ussd?secret={secret}",
            urllib.parse.urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    _open_loop(host, port, submission, rate=RATE, seconds=1)  # warm-up
    result = {
        "submission": _open_loop(host, port, submission, rate=RATE, seconds=seconds),
        "ussd": _open_loop(host, port, ussd, rate=RATE, seconds=seconds),
        "pages": {},
    }
    for label, path in (
        ("QR form", f"/avis/DKR/?t={urllib.parse.quote(token)}"),
        ("Rating tablet", "/avis/DKR/tablette/"),
    ):
        try:
            total, parts = page_weight(path)
        except AssertionError:
            continue
        result["pages"][label] = {"path": path.split("?")[0], "bytes": total, "parts": parts}
    return result


def render(result: dict | None) -> list[str]:
    lines = ["## Listening: ratings and USSD (issue 4)", ""]
    if result is None:
        return lines + ["Skipped (`--skip-public`).", ""]
    if "error" in result:
        return lines + [f"❌ {result['error']}", ""]
    lines += [
        "Same server as the public pages (gunicorn, 2 sync workers, SQLite, demo data). "
        f"Open loop at {RATE} requests/s: each request leaves when it is due, and its time "
        "counts from then. Submission: `POST /api/v1/feedback/responses` with a QR poster's "
        "token, a new client_id each. USSD: whole 8-step sessions (menu, no ticket, region, "
        "site, rating, two follow-ups, stored at the end), form-encoded as the aggregator "
        "sends them.",
        "",
        "| request | sent | achieved req/s | statuses | median | p95 | max | p95 budget |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for key, label in (("submission", "rating submission"), ("ussd", "USSD callback")):
        r = result[key]
        ok = "✅" if r["p95_ms"] <= 30 and set(r["statuses"]) <= {"200", "201"} else "❌"
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        lines.append(
            f"| {label} | {r['requests']} | {r['achieved_rps']:.0f} | {statuses} "
            f"| {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['max_ms']:.1f} ms "
            f"| 30 ms {ok} |"
        )
    lines += ["", "| page | transferred (page + assets, gzip) | budget |", "|---|---:|---:|"]
    for label, page in result["pages"].items():
        ok = "✅" if page["bytes"] <= 50 * 1024 else "❌"
        lines.append(f"| {label} `{page['path']}` | {page['bytes'] / 1024:.1f} KB | 50 KB {ok} |")
    if "Rating tablet" not in result["pages"]:
        lines.append("| Rating tablet | not served by this version | 50 KB |")
    return lines + [""]
