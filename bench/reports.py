"""Time the monthly reports on a realistic volume of rollups:
`python bench/reports.py [--years 2] [--repeat 3]` (SQLite in a temporary file by default;
`DATABASE_URL=postgres://…` for PostgreSQL, a throwaway database: the rollups are replaced).

Writes synthetic rollups straight into the table, as the rebuild would leave them: for each of
the 46 sites and each weekday of the last `--years` years, the site's day row (counts and minute
histograms), then the region and national days, the month rows of every level summed from
them, and each site's month slices for ten procedures and three rating channels. Then builds
the national report and a site report (figures: the queries; rendering: PDF and XLSX)
`--repeat` times and prints the median of each step, the queries and the size of each file,
as a Markdown table.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(folder: str) -> None:
    os.environ.setdefault("TERANGA_ENV", "dev")
    os.environ.setdefault("DEBUG", "false")  # no query log: it would hold every insert
    os.environ.setdefault("SQLITE_PATH", str(Path(folder) / "reports.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teranga.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_network", verbosity=0)


def load(years: int, seed: int = 7) -> tuple[int, float]:
    """Synthetic rollups of the last `years` years; returns (rows written, seconds)."""
    from django.db import transaction
    from django.utils import timezone

    from teranga.indicators.facts import Facts
    from teranga.indicators.models import Grain, Level, Refresh, Rollup
    from teranga.listening.models import Channel
    from teranga.network.models import Procedure, Site

    clock = time.monotonic()
    rng = random.Random(seed)
    today = timezone.localdate()
    first = date(today.year - years, today.month, 1)
    sites = list(Site.objects.values_list("pk", "department__region_id"))
    procedures = list(Procedure.objects.order_by("pk").values_list("pk", flat=True)[:10])
    channels = [c.value for c in Channel][:3]
    Rollup.objects.all().delete()

    def facts(scale: float) -> Facts:
        f = Facts()
        tickets = max(1, int(rng.gauss(120, 30) * scale))
        called = int(tickets * 0.93)
        f.counts.update(
            tickets=tickets,
            called=called,
            expired=tickets - called,
            within_target=int(called * rng.uniform(0.6, 0.95)),
            served=int(called * 0.9),
            no_show=called - int(called * 0.9),
            responses=int(tickets * 0.15 * rng.uniform(0.5, 1.5)),
            complaints=rng.randint(0, 2),
            complaints_due=rng.randint(0, 2),
            requests_due=rng.randint(0, 3),
        )
        f.counts["satisfied"] = int(f["responses"] * 0.8)
        f.counts["dissatisfied"] = int(f["responses"] * 0.1)
        f.counts["complaints_on_time"] = f["complaints_due"]
        f.counts["requests_on_time"] = f["requests_due"]
        f.wait = [0] * 61
        f.service = [0] * 31
        for _ in range(called):
            f.wait[min(60, int(rng.expovariate(1 / 14)))] += 1
            f.service[min(30, int(rng.expovariate(1 / 8)))] += 1
        return f

    def row(level, area, grain, period, dim, f: Facts) -> Rollup:
        return Rollup(level=level, area=area, grain=grain, period=period, dim=dim, **f.row_values())

    rows: list[Rollup] = []
    above: dict = defaultdict(Facts)  # (level, area, grain, period, dim) → Facts
    day, written = first, 0
    with transaction.atomic():
        while day <= today:
            if day.weekday() < 5:
                for site, region in sites:
                    total = facts(1.0)
                    rows.append(row(Level.SITE, site, Grain.DAY, day, "", total))
                    month = day.replace(day=1)
                    for dim, scale in [(f"p{p}", 0.1) for p in procedures] + [
                        (f"c{c}", 0.05) for c in channels
                    ]:
                        above[(Level.SITE, site, Grain.MONTH, month, dim)].add(facts(scale))
                    for key in (
                        (Level.SITE, site, Grain.MONTH, month, ""),
                        (Level.REGION, region, Grain.DAY, day, ""),
                        (Level.REGION, region, Grain.MONTH, month, ""),
                        (Level.NATIONAL, 0, Grain.DAY, day, ""),
                        (Level.NATIONAL, 0, Grain.MONTH, month, ""),
                    ):
                        above[key].add(total)
            if len(rows) > 20000:
                Rollup.objects.bulk_create(rows, batch_size=2000)
                written += len(rows)
                rows = []
            day += timedelta(days=1)
        rows.extend(row(*key, f) for key, f in above.items())
        Rollup.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
        now = timezone.now()
        Refresh.objects.create(
            kind=Refresh.Kind.REBUILD,
            started_at=now,
            finished_at=now,
            first_day=first,
            last_day=today,
            days=written,
        )
    return written, time.monotonic() - clock


def measure(repeat: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from teranga.indicators.selectors import site_area
    from teranga.network.models import Site
    from teranga.steering.reports import (
        month_shift,
        national_report,
        report_pdf,
        report_xlsx,
        site_report,
    )

    month = month_shift(timezone.localdate().replace(day=1), -1)
    dakar = site_area(Site.objects.get(code="DKR"))
    report_pdf(site_report(dakar, month))  # warm up: WeasyPrint's fonts, templates
    out = []
    for label, build in (
        ("national", lambda: national_report(month)),
        ("site DKR", lambda: site_report(dakar, month)),
    ):
        times = defaultdict(list)
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                report = build()
                times["figures"].append(time.perf_counter() - start)
            for fmt, render in (("pdf", report_pdf), ("xlsx", report_xlsx)):
                start = time.perf_counter()
                body = render(report)
                times[fmt].append(time.perf_counter() - start)
                times[f"{fmt} size"] = [len(body)]
        out.append(
            {
                "report": label,
                "month": f"{month:%Y-%m}",
                "queries": len(queries.captured_queries),
                **{k: statistics.median(v) for k, v in times.items()},
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(folder)
        from django.db import connection

        written, seconds = load(args.years)
        print(
            f"{written:,} rollup rows ({args.years} years × 46 sites, "
            f"{connection.vendor}) written in {seconds:.0f} s\n"
        )
        print("| report | month | queries | figures | PDF | PDF size | XLSX | XLSX size |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for r in measure(args.repeat):
            print(
                f"| {r['report']} | {r['month']} | {r['queries']} | {r['figures'] * 1000:.0f} ms"
                f" | {r['pdf'] * 1000:.0f} ms | {r['pdf size'] / 1024:.0f} KB"
                f" | {r['xlsx'] * 1000:.0f} ms | {r['xlsx size'] / 1024:.0f} KB |"
            )


if __name__ == "__main__":
    main()
