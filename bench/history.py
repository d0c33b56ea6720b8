"""Load N past tickets fast, in plain SQL, for the "cost independent of history" budget.

Spread over every site and ~5 years of past days (never today, so today's sequences start
fresh): each (site, day) gets about N / (sites × days) tickets between 08:00 and 17:00 local
time (Africa/Dakar is UTC+0 all year, so local = UTC), with `day`, `issued_at` and
`issued_hour` consistent, a procedure the site offers (and its category's letter), a counter of
the site, status finished (with wait and service times) or no_show, fresh client_id and
public_id, and feedback codes derived from the row number modulo 10^8 (8 digits, pairwise
distinct; a bijection a·i + b on PostgreSQL, consecutive on SQLite where the UNIQUE indexes
stay during the load and ordered keys append instead of inserting at random). Sequences start
at 1000 so that they cannot meet the demo's own tickets.

PostgreSQL: secondary indexes and unique constraints are dropped, rows come from one
INSERT … SELECT FROM generate_series (FK triggers off through session_replication_role), the
rare rows whose feedback code an existing (demo) ticket already holds are deleted, then every
index and constraint is rebuilt exactly as it was and the table ANALYZEd (autovacuum would do
it in production).
SQLite: journal, synchronous writes and FK checks off during the load, the droppable
secondary indexes dropped and rebuilt (the UNIQUE column indexes are part of the table and
stay), rows from a recursive CTE through INSERT OR IGNORE in one transaction. No ANALYZE: the
application never runs it, so the planner sees the database as production would.

Called in-process by bench/djtasks.py (Django configured from the environment).
"""

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from teranga.network.models import Counter, Site

TABLE = "reception_ticket"
DAYS = 5 * 365 + 1
SEQUENCE_BASE = 1000
CODE_MULT, CODE_ADD = 48271, 1234567  # 48271 is prime to 10^8: i -> (a·i + b) mod 10^8 is 1:1

COLUMNS = (
    "day, letter, sequence, priority, is_priority, language, status, outcome, issued_at, "
    "issued_hour, called_at, last_called_at, serving_at, finished_at, wait_seconds, "
    "service_seconds, recalls, phone, sms_consent, near_sms_sent, client_id, public_id, "
    "feedback_code, agent_id, counter_id, procedure_id, site_id, target_counter_id"
)


def _lookup_rows() -> tuple[list, list, list]:
    """(site rows, offer rows, counter rows) for the small lookup tables the INSERT joins."""
    sites, offers, counters = [], [], []
    for s, site in enumerate(Site.objects.order_by("pk")):
        procs = list(
            site.procedures.filter(is_active=True)
            .select_related("category")
            .order_by("pk")
            .values_list("pk", "category__letter")
        )
        ctrs = list(Counter.objects.filter(site=site).order_by("pk").values_list("pk", flat=True))
        if not procs:
            continue
        sites.append((s, site.pk, len(procs), max(1, len(ctrs))))
        offers += [(s, k, pk, letter) for k, (pk, letter) in enumerate(procs)]
        counters += [(s, k, pk) for k, pk in enumerate(ctrs or [None])]
    # Renumber sites densely (those offering nothing are skipped).
    dense = {s: i for i, (s, *_) in enumerate(sites)}
    sites = [(dense[s], *rest) for s, *rest in sites]
    offers = [(dense[s], *rest) for s, *rest in offers]
    counters = [(dense[s], *rest) for s, *rest in counters]
    return sites, offers, counters


def load(rows: int) -> dict:
    started = time.monotonic()
    sites, offers, counters = _lookup_rows()
    n_sites = len(sites)
    rounds = max(1, -(-rows // (n_sites * DAYS)))  # tickets per (site, day), rounded up
    yesterday = timezone.localdate() - timedelta(days=1)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM {TABLE}")
        before, max_id = cur.fetchone()
    if connection.vendor == "postgresql":
        detail = _load_postgresql(rows, rounds, yesterday, sites, offers, counters, max_id)
    else:
        detail = _load_sqlite(rows, rounds, yesterday, sites, offers, counters)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
        after = cur.fetchone()[0]
    return {
        "requested": rows,
        "inserted": after - before,
        "total_tickets": after,
        "sites": n_sites,
        "days": DAYS,
        "first_day": str(yesterday - timedelta(days=DAYS - 1)),
        "last_day": str(yesterday),
        "seconds": round(time.monotonic() - started, 1),
        **detail,
    }


def _select(n_sites: int, rounds: int, *, pg: bool) -> str:
    """The SELECT producing row i's values from g(i, s, d, r) joined with the lookups.
    s = site, d = days before yesterday, r = round within the (site, day)."""
    if pg:
        day = "(DATE '{yesterday}' - g.d::integer)"
        ts = f"({day}::timestamp + make_interval(secs => g.off)) AT TIME ZONE 'UTC'"

        def plus(expr, secs):
            return f"({expr} + make_interval(secs => {secs}))"

        uuid = "gen_random_uuid()"
        code = f"lpad(((g.i * {CODE_MULT} + {CODE_ADD}) % 100000000)::text, 8, '0')"
        false, true = "false", "true"
    else:
        day = "dd.day"  # from a 1826-row lookup: date() on every row costs more than the insert

        def stamp(secs):  # the day's text plus a time of day; never past midnight (< 18:00)
            t = f"(g.off + {secs})"
            return f"{day} || printf(' %02d:%02d:%02d', {t} / 3600, ({t} / 60) % 60, {t} % 60)"

        ts = stamp(0)

        def plus(expr, secs):
            assert expr == ts
            return stamp(secs)

        # Ordered by row (like UUIDv7), random below: appends to the UNIQUE indexes that
        # SQLite cannot drop, instead of 12 M random B-tree inserts.
        uuid = "(printf('%016x', g.i) || lower(hex(randomblob(8))))"
        code = f"printf('%08d', (g.i + {CODE_ADD}) % 100000000)"
        false, true = "0", "1"
    no_show = "(g.i % 17 = 0)"
    wait = "((g.i * 7919) % 1800)"
    service = "(120 + (g.i * 104729) % 600)"
    called = plus(ts, wait)
    serving = plus(ts, f"{wait} + 30")
    finished = plus(ts, f"{wait} + 30 + {service}")
    return f"""
        SELECT {day}, o.letter, {SEQUENCE_BASE} + g.r,
               CASE WHEN g.i % 23 = 0 THEN 'elderly' ELSE 'none' END,
               CASE WHEN g.i % 23 = 0 THEN {true} ELSE {false} END,
               'fr',
               CASE WHEN {no_show} THEN 'no_show' ELSE 'finished' END,
               CASE WHEN {no_show} THEN '' ELSE 'done' END,
               {ts}, g.off / 3600, {called}, {called},
               CASE WHEN {no_show} THEN NULL ELSE {serving} END,
               CASE WHEN {no_show} THEN {called} ELSE {finished} END,
               {wait},
               CASE WHEN {no_show} THEN NULL ELSE {service} END,
               0, '', {false}, {false}, {uuid}, {uuid}, {code},
               NULL, c.counter_id, o.procedure_id, bs.site_id, NULL
        FROM g
        JOIN bench_site bs ON bs.s = g.s
        JOIN bench_offer o ON o.s = g.s AND o.k = (g.r * 7 + g.d) % bs.n_proc
        JOIN bench_counter c ON c.s = g.s AND c.k = (g.r + g.d) % bs.n_counter
        {"" if pg else "JOIN bench_day dd ON dd.d = g.d"}
    """


def _g(n_sites: int, rounds: int, *, pg: bool) -> str:
    """Row i -> round r within its (site, day) (fastest), site s, day d (slowest: d = 0 is
    yesterday), and the second of the day `off`. Rows of one (site, day) are consecutive, so
    the (site, day, letter, sequence) unique index grows at 46 points instead of at random."""
    span = 9 * 3600
    src = (
        "generate_series(0::bigint, {n}::bigint - 1) AS x(i)"
        if pg
        else "(WITH RECURSIVE x(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM x WHERE i < :n - 1)"
        " SELECT i FROM x)"
    )
    return f"""
        SELECT i, (i / {rounds}) % {n_sites} AS s, i / ({rounds} * {n_sites}) AS d,
               i % {rounds} AS r,
               8 * 3600 + (i % {rounds}) * {span} / {rounds} + (i % 7) AS off
        FROM {src}
    """


def _lookups(cur, sites, offers, counters, yesterday, *, pg: bool) -> None:
    temp = "TEMP " if pg else "TEMP "
    for name in ("bench_site", "bench_offer", "bench_counter"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    cur.execute(
        f"CREATE {temp}TABLE bench_site (s integer PRIMARY KEY, site_id bigint, "
        "n_proc integer, n_counter integer)"
    )
    cur.execute(
        f"CREATE {temp}TABLE bench_offer (s integer, k integer, procedure_id bigint, "
        "letter varchar(1), PRIMARY KEY (s, k))"
    )
    cur.execute(
        f"CREATE {temp}TABLE bench_counter (s integer, k integer, counter_id bigint, "
        "PRIMARY KEY (s, k))"
    )
    ph = "%s" if pg else "?"
    cur.executemany(f"INSERT INTO bench_site VALUES ({ph}, {ph}, {ph}, {ph})", sites)
    cur.executemany(f"INSERT INTO bench_offer VALUES ({ph}, {ph}, {ph}, {ph})", offers)
    cur.executemany(f"INSERT INTO bench_counter VALUES ({ph}, {ph}, {ph})", counters)
    if not pg:
        cur.execute("DROP TABLE IF EXISTS bench_day")
        cur.execute("CREATE TEMP TABLE bench_day (d integer PRIMARY KEY, day text)")
        cur.executemany(
            "INSERT INTO bench_day VALUES (?, ?)",
            [(d, str(yesterday - timedelta(days=d))) for d in range(DAYS)],
        )


def _load_postgresql(rows, rounds, yesterday, sites, offers, counters, max_id) -> dict:
    timings = {}
    with connection.cursor() as cur:
        t = time.monotonic()
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [TABLE],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [TABLE],
        )
        indexes = cur.fetchall()
        for name, _ in constraints:
            cur.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        _lookups(cur, sites, offers, counters, yesterday, pg=True)
        cur.execute("SET session_replication_role = replica")  # no FK triggers for the load
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET work_mem = '256MB'")
        sql = (
            f"INSERT INTO {TABLE} ({COLUMNS}) WITH g AS ({_g(len(sites), rounds, pg=True)}) "
            + _select(len(sites), rounds, pg=True)
        )
        # Literals inlined (our own ints and date) and no parameters: '%' stays the operator.
        cur.execute(sql.replace("{n}", str(int(rows))).replace("{yesterday}", str(yesterday)))
        timings["insert_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        # A code the demo's own tickets already hold: drop that history row.
        cur.execute(
            f"DELETE FROM {TABLE} h USING {TABLE} o WHERE o.id <= %s AND h.id > %s "
            "AND h.feedback_code = o.feedback_code",
            [max_id, max_id],
        )
        dropped = cur.rowcount
        cur.execute("SET session_replication_role = origin")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET max_parallel_maintenance_workers = 2")
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cur.execute(definition)
        timings["indexes_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        for name in ("bench_site", "bench_offer", "bench_counter"):
            cur.execute(f"DROP TABLE {name}")
        cur.execute(f"ANALYZE {TABLE}")
        cur.execute("CHECKPOINT")
        timings["analyze_s"] = round(time.monotonic() - t, 1)
    return {**timings, "dropped_code_collisions": dropped}


def _load_sqlite(rows, rounds, yesterday, sites, offers, counters) -> dict:
    timings = {}
    connection.ensure_connection()
    raw = connection.connection
    raw.isolation_level = None  # autocommit: we BEGIN/COMMIT ourselves
    cur = raw.cursor()
    t = time.monotonic()
    cur.execute("PRAGMA journal_mode=OFF")
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA cache_size=-4000000")  # 4 GB of page cache for the load
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA foreign_keys=OFF")  # rows reference existing sites, procedures, counters
    indexes = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        [TABLE],
    ).fetchall()
    cur.execute("BEGIN")
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    _lookups(cur, sites, offers, counters, yesterday, pg=False)
    sql = (
        f"INSERT OR IGNORE INTO {TABLE} ({COLUMNS}) WITH g AS ({_g(len(sites), rounds, pg=False)}) "
        + _select(len(sites), rounds, pg=False)
    )
    cur.execute(sql, {"n": rows})
    timings["insert_s"] = round(time.monotonic() - t, 1)
    t = time.monotonic()
    for _, definition in indexes:
        cur.execute(definition)
    for name in ("bench_site", "bench_offer", "bench_counter", "bench_day"):
        cur.execute(f"DROP TABLE {name}")
    cur.execute("COMMIT")
    timings["indexes_s"] = round(time.monotonic() - t, 1)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA cache_size=-2000")
    connection.close()
    return timings
