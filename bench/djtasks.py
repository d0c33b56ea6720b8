"""In-process tasks of the bench, run as `python bench/djtasks.py TASK …` under the same
environment (settings, database) as the served platform. Each prints one JSON document.

  history N            about N past tickets of synthetic history (bench/history.py)
  queue-set SITE W     make exactly W tickets wait at SITE today (issues or drops some)
  explain SITE         capture the SQL of the hot requests and EXPLAIN each statement
  live SITE            time selectors.live_view / staffing_advice in-process
  profile SITE N       cProfile N ticket issues through the WSGI application
  history-floor DAYS   generate_history's ticket statement into tables with fewer indexes
"""

import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teranga.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from teranga.network.models import Device, Site  # noqa: E402
from teranga.reception import selectors, services  # noqa: E402
from teranga.reception.models import CounterSession, Ticket  # noqa: E402

HOST = "127.0.0.1"
BIG_TABLES = ("reception_ticket", "reception_ticketevent", "reception_ticketsequence")


def _site(code: str) -> Site:
    return Site.objects.select_related("department__region").get(code=code)


def _procedures(site: Site) -> list[str]:
    return list(
        site.procedures.filter(is_active=True).order_by("code").values_list("code", flat=True)
    )


# --- queue ----------------------------------------------------------------------------------


def queue_set(code: str, waiting: int) -> dict:
    """Exactly `waiting` tickets waiting at the site: issue the missing ones through the
    service (as a kiosk would), or mark the surplus no_show."""
    site = _site(code)
    device = Device.objects.filter(site=site, kind=Device.Kind.KIOSK).first()
    procedures = _procedures(site)
    qs = Ticket.objects.filter(site=site, status=Ticket.Status.WAITING)
    current = qs.count()
    i = 0
    if waiting < 0:  # only count
        waiting = current
    while current < waiting:
        services.ticket_issue(
            site=site,
            procedure_code=procedures[i % len(procedures)],
            client_id=uuid.uuid4(),
            priority="elderly" if i % 10 == 3 else "none",
            device=device,
        )
        i, current = i + 1, current + 1
    if current > waiting:
        surplus = list(qs.order_by("-issued_at").values_list("pk", flat=True)[: current - waiting])
        Ticket.objects.filter(pk__in=surplus).update(
            status=Ticket.Status.NO_SHOW, finished_at=timezone.now()
        )
    client = Client(HTTP_HOST=HOST)
    client.get(f"/api/v1/sites/{code}/queue")
    response, statements = _record(lambda: client.get(f"/api/v1/sites/{code}/queue"))
    assert response.status_code == 200, response.status_code
    return {"site": code, "waiting": qs.count(), "issued": i, "queue_queries": len(statements)}


# --- EXPLAIN of the hot queries ---------------------------------------------------------------


class Recorder:
    """execute_wrapper keeping each statement with its parameters and duration."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, many, (time.perf_counter() - start) * 1000))


def _record(fn) -> tuple[object, list]:
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        result = fn()
    return result, recorder.statements


def _plan(sql: str, params) -> list[str]:
    """The plan; on PostgreSQL a SELECT is also run (EXPLAIN ANALYZE: rows really read)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            select = sql.lstrip().upper().startswith("SELECT")
            cur.execute(("EXPLAIN (ANALYZE, BUFFERS) " if select else "EXPLAIN ") + sql, params)
            return [row[0] for row in cur.fetchall()]
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cur.fetchall()]


def _rerun_ms(sql: str, params, plan: list[str]) -> float | None:
    """What a SELECT costs with this history, warm: PostgreSQL's execution time in the
    EXPLAIN ANALYZE just run (the planning, which reads no row, apart), or on SQLite the best
    of 3 runs."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return None
    for line in plan:
        if line.startswith("Execution Time:"):
            return float(line.split()[2])
    best = None
    with connection.cursor() as cur:
        for _ in range(3):
            start = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            ms = (time.perf_counter() - start) * 1000
            best = ms if best is None else min(best, ms)
    return best


SLOW_MS = 2.0  # a SELECT reading only today's / active rows takes well under this


def _verdict(sql: str, plan: list[str], rerun_ms: float | None = None) -> str:
    """'index' when every access to a history-sized table goes through an index (or the
    statement touches none), else 'SCAN' with the culprit."""
    text = "\n".join(plan)
    if connection.vendor == "postgresql":
        bad = [
            line.strip()
            for line in plan
            if "Seq Scan on" in line and any(t in line for t in BIG_TABLES)
        ]
    else:
        bad = [
            line.strip()
            for line in plan
            if re.search(r"\bSCAN (\w+)", line)
            and any(t in line for t in BIG_TABLES)
            and "USING" not in line
        ]
    if bad:
        return "❌ full scan: " + "; ".join(bad)
    if rerun_ms is not None and rerun_ms > SLOW_MS and any(t in sql for t in BIG_TABLES):
        return (
            f"❌ index, but not selective: {rerun_ms:.1f} ms warm (> {SLOW_MS:g} ms), it reads "
            "history rows: "
            + "; ".join(line.strip() for line in plan if "reception_t" in line or "Index" in line)[
                :300
            ]
        )
    if not any(t in sql for t in BIG_TABLES):
        return "small tables only"
    if sql.lstrip().upper().startswith("INSERT") and not plan:
        return "insert"
    return (
        "✅ index"
        if (
            "Index" in text
            or "INDEX" in text
            or "PRIMARY KEY" in text
            or sql.lstrip().upper().startswith("INSERT")
        )
        else "? " + text[:80]
    )


def _explained(statements: list) -> list[dict]:
    out = []
    for sql, params, many, ms in statements:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT") or many:
            out.append({"sql": sql, "ms": ms, "plan": [], "verdict": "transaction control"})
            continue
        try:
            plan = _plan(sql, params)
        except Exception as exc:  # noqa: BLE001 — report it, do not stop the bench
            plan = [f"(EXPLAIN failed: {exc})"]
        try:
            rerun = _rerun_ms(sql, params, plan)
        except Exception:  # noqa: BLE001
            rerun = None
        out.append(
            {
                "sql": _inline(sql, params),
                "ms": ms,
                "rerun_ms": rerun,
                "plan": plan,
                "verdict": _verdict(sql, plan, rerun),
            }
        )
    return out


def _inline(sql: str, params) -> str:
    if not params:
        return sql
    try:
        return _substitute(sql, params)
    except Exception:  # noqa: BLE001 — shown as written
        return sql


def _substitute(sql: str, params) -> str:
    values = [repr(p) if isinstance(p, str) else str(p) for p in params]
    if connection.vendor == "postgresql":
        return sql % tuple(values)
    parts = sql.split("?")
    if len(parts) - 1 != len(values):
        return sql
    return "".join(p + (values[i] if i < len(values) else "") for i, p in enumerate(parts))


def explain(code: str, token: str, agent_token: str, manager: str) -> dict:
    site = _site(code)
    procedures = _procedures(site)
    client = Client(HTTP_HOST=HOST)
    auth = {"Authorization": f"Bearer {token}"}
    scenarios = {}

    def issue():
        response = client.post(
            f"/api/v1/sites/{code}/tickets",
            {"procedure": procedures[0], "client_id": str(uuid.uuid4())},
            content_type="application/json",
            headers=auth,
        )
        assert response.status_code == 201, response.content
        return response

    issue()  # warm: the device's last_used_at touch happens here, not in the captured one
    _, statements = _record(issue)
    scenarios["Ticket issue — POST /api/v1/sites/{code}/tickets"] = statements

    # call-next: a counter of the site opened by the bench agent (through the API).
    agent_auth = {"Authorization": f"Bearer {agent_token}"}
    counter = site.counters.filter(is_active=True).order_by("-code").first()
    # The bench agent takes this counter over: release its ticket, close its session.
    Ticket.objects.filter(counter=counter, status__in=["called", "serving"]).update(
        status="finished", finished_at=timezone.now()
    )
    CounterSession.objects.filter(counter=counter, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    opened = client.post(f"/api/v1/counters/{counter.pk}/open", headers=agent_auth)
    assert opened.status_code == 200, opened.content

    def call_next():
        response = client.post(f"/api/v1/counters/{counter.pk}/call-next", headers=agent_auth)
        assert response.status_code in (200, 204), response.content
        return response

    _, statements = _record(call_next)
    scenarios["Call next — POST /api/v1/counters/{id}/call-next"] = statements
    # Leave the counter as found: release the called ticket, close the counter.
    Ticket.objects.filter(counter=counter, status__in=["called", "serving"]).update(
        status="no_show", finished_at=timezone.now()
    )
    CounterSession.objects.filter(counter=counter, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )

    _, statements = _record(lambda: client.get(f"/api/v1/sites/{code}/queue"))
    scenarios["Display queue — GET /api/v1/sites/{code}/queue"] = statements

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=manager))
    response, statements = _record(lambda: client.get(f"/accueil/{code}/direct/"))
    assert response.status_code == 200, response.status_code
    scenarios["Live view — GET /accueil/{code}/direct/"] = statements

    out = {}
    for name, statements in scenarios.items():
        out[name] = _explained(statements)
    return {"vendor": connection.vendor, "scenarios": out}


# --- live view in-process --------------------------------------------------------------------


def live(code: str, repeat: int) -> dict:
    site = _site(code)
    out = {}
    for name, fn in (
        ("live_view", lambda: selectors.live_view(site)),
        ("staffing_advice", lambda: selectors.staffing_advice(site)),
    ):
        fn()
        times, queries = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            _, statements = _record(fn)
            times.append((time.perf_counter() - start) * 1000)
            queries = len(statements)
        times.sort()
        out[name] = {
            "n": repeat,
            "median_ms": statistics.median(times),
            "p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
            "max_ms": times[-1],
            "queries": queries,
        }
    return out


# --- profile of ticket issue through the WSGI application -------------------------------------


def profile(code: str, token: str, n: int) -> dict:
    from teranga.wsgi import application

    site = _site(code)
    procedures = _procedures(site)
    path = f"/api/v1/sites/{code}/tickets"

    def one(i: int):
        body = json.dumps(
            {"procedure": procedures[i % len(procedures)], "client_id": str(uuid.uuid4())}
        ).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "8765",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": HOST,
            "REMOTE_ADDR": HOST,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "HTTP_ACCEPT_ENCODING": "gzip",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        status = []
        chunks = application(environ, lambda s, h, e=None: status.append(s))
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        assert status[0].startswith("201"), status

    for i in range(20):  # warm-up: imports, URL resolver, template caches, connection
        one(i)
    # 1. wall time and SQL time per request, without the profiler's overhead
    recorder = Recorder()
    start = time.perf_counter()
    with connection.execute_wrapper(recorder):
        for i in range(n):
            one(i)
    wall = (time.perf_counter() - start) * 1000 / n
    per_statement: dict[str, list[float]] = {}
    for sql, _params, _many, ms in recorder.statements:
        per_statement.setdefault(_shape(sql), []).append(ms)
    statements = sorted(
        (
            {"sql": k, "per_request": len(v) / n, "ms_per_request": sum(v) / n}
            for k, v in per_statement.items()
        ),
        key=lambda r: -r["ms_per_request"],
    )
    sql_ms = sum(ms for *_, ms in recorder.statements) / n
    # 2. cProfile
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        one(i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append((filename, line, func, nc, tt, ct))

    def where(filename: str) -> str:
        for marker in ("site-packages/", "/work/main/", "lib/python3"):
            if marker in filename:
                return filename.split(marker, 1)[1]
        return filename

    top_tottime = [
        {
            "func": f"{where(f)}:{ln}({fn})",
            "calls_per_request": nc / n,
            "self_ms_per_request": tt * 1000 / n,
        }
        for f, ln, fn, nc, tt, ct in sorted(rows, key=lambda r: -r[4])[:25]
    ]
    top_cumulative = [
        {
            "func": f"{where(f)}:{ln}({fn})",
            "calls_per_request": nc / n,
            "cum_ms_per_request": ct * 1000 / n,
        }
        for f, ln, fn, nc, tt, ct in sorted(rows, key=lambda r: -r[5])
        if any(k in f for k in ("/teranga/", "django/", "ninja/", "pydantic"))
    ][:45]
    # Self time grouped by package: where the CPU goes.
    groups: dict[str, float] = {}
    for f, _ln, fn, _nc, tt, _ct in rows:
        g = _group(f, fn)
        groups[g] = groups.get(g, 0) + tt
    return {
        "vendor": connection.vendor,
        "n": n,
        "wall_ms_per_request": wall,
        "sql_ms_per_request": sql_ms,
        "queries_per_request": len(recorder.statements) / n,
        "statements": statements,
        "profiled_ms_per_request": total * 1000 / n,
        "groups_ms_per_request": {
            k: v * 1000 / n for k, v in sorted(groups.items(), key=lambda kv: -kv[1])
        },
        "top_tottime": top_tottime,
        "top_cumulative": top_cumulative,
    }


# --- what generate_history's ticket statement costs without the ticket table ------------------


def history_floor(days: int) -> dict:
    """The tickets of the `days` days before today, computed by generate_history's own
    statement (same lookups, chunks of days, transactions and connection settings), written
    into a table with the ticket table's columns: without any index, with its primary key and
    unique constraints only, then with every one of its indexes. SQLite. The ticket table
    itself is not touched; the rows go to a scratch table dropped after each variant."""
    from django.db import transaction

    from teranga.demo import history

    assert connection.vendor == "sqlite", "the history budget is a SQLite one"
    sites = list(Site.objects.select_related("department__region").order_by("code"))
    load = history._Load(sites, history.DEFAULT_SEED)
    table, scratch = Ticket._meta.db_table, "bench_history_floor"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        (table_sql,) = cursor.fetchone()
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [table],
        )
        index_sql = [
            re.sub(r'INDEX "([^"]+)" ON "\w+"', rf'INDEX "floor_\1" ON "{scratch}"', row[0])
            for row in cursor.fetchall()
        ]
    constrained = table_sql.replace(f'"{table}"', f'"{scratch}"', 1)
    variants = [
        ("no index", [f"CREATE TABLE {scratch} AS SELECT * FROM {table} WHERE 0"]),
        ("primary key and unique constraints", [constrained]),
        (f"every index of the ticket table ({len(index_sql)} more)", [constrained, *index_sql]),
    ]
    # The chunks' blocks, planned once (Python, the same for every variant).
    started = time.perf_counter()
    chunks, tickets = [], 0
    for first, last in history.day_chunks(days, timezone.localdate()):
        plans = load.plans(first, last, fresh=False)  # the ticket table already has them
        tickets += sum(plan.tickets for day in plans.values() for plan in day)
        chunks.append(load.blocks(plans, {}))
    planning = time.perf_counter() - started
    insert = (
        f"INSERT INTO {scratch} ({history.TICKET_COLUMNS}) {history.ticket_select(load.dialect)}"
    )
    results = []
    with history._SqliteLoad():
        with connection.cursor() as cursor:
            history._lookups_create(cursor, load.profiles, load.seed, history.MAX_PER_SITE_DAY + 1)
        for label, ddl in variants:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
                for statement in ddl:
                    cursor.execute(statement)
            seconds = 0.0
            for rows in chunks:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("DELETE FROM history_blk")
                    history._values_insert(cursor, "history_blk", rows)
                    started = time.perf_counter()
                    cursor.execute(insert)
                seconds += time.perf_counter() - started  # the statement and its commit
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {scratch}")
                (written,) = cursor.fetchone()
                cursor.execute(f"DROP TABLE {scratch}")
            assert written == tickets, (label, written, tickets)
            results.append({"label": label, "seconds": seconds, "rate": tickets / seconds})
        with connection.cursor() as cursor:
            history._lookups_drop(cursor)
    return {"days": days, "tickets": tickets, "planning_s": planning, "variants": results}


def _shape(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r'"s\d+_x\d+"', '"s…"', sql)  # one shape for every savepoint
    return sql[:160] + ("…" if len(sql) > 160 else "")


def _group(filename: str, func: str) -> str:
    if (
        "sqlite3" in filename
        or func.startswith("<method 'execute' of 'sqlite3")
        or ("sqlite3.Cursor" in func or "sqlite3.Connection" in func)
    ):
        return "database driver (sqlite3: SQL execution)"
    if "psycopg" in filename or "psycopg" in func:
        return "database driver (psycopg: SQL execution + wire)"
    for key, label in (
        ("django/db/models/sql", "Django ORM: SQL compilation"),
        ("django/db/models", "Django ORM: models, querysets"),
        ("django/db/backends", "Django DB backend wrappers"),
        ("django/db", "Django DB other"),
        ("django/template", "Django templates"),
        ("django/utils/translation", "Django i18n"),
        ("django/middleware", "Django middleware"),
        ("django/", "Django other"),
        ("ninja/", "django-ninja"),
        ("pydantic", "pydantic"),
        ("/teranga/", "Teranga code"),
        ("json", "json"),
        ("uuid", "uuid"),
        ("csp/", "django-csp"),
        ("axes/", "django-axes"),
        ("whitenoise/", "whitenoise"),
        ("gzip", "gzip"),
    ):
        if key in filename:
            return label
    if filename == "~":
        if "sqlite3" in func:
            return "database driver (sqlite3: SQL execution)"
        return (
            f"builtins ({func[:40]})"
            if any(k in func for k in ("execute", "commit", "fetch"))
            else "builtins (other)"
        )
    return "Python stdlib / other"


def main() -> None:
    task, *args = sys.argv[1:]
    if task == "history":
        import history

        result = history.load(int(args[0]))
    elif task == "queue-set":
        result = queue_set(args[0], int(args[1]))
    elif task == "explain":
        result = explain(*args)
    elif task == "live":
        result = live(args[0], int(args[1]))
    elif task == "profile":
        result = profile(args[0], args[1], int(args[2]))
    elif task == "history-floor":
        result = history_floor(int(args[0]))
    else:
        raise SystemExit(f"unknown task {task}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
