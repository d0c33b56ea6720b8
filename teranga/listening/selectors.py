"""Reads of the listening app: satisfaction with its honesty rules, breakdowns, anomaly flags.
Each breakdown is one aggregate query whatever the number of answers."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMinute
from django.utils import timezone

from teranga.lib.stats import Satisfaction, satisfaction
from teranga.listening.models import Channel, Response
from teranga.network.models import Site
from teranga.reception.models import CounterSession

SATISFIED = Q(rating__gte=4)
DISSATISFIED = Q(rating__lte=2)
# Flags: this many answers from one tablet within one minute is a burst…
BURST_PER_MINUTE = 6
# …and a tablet whose mean rating is this far from the site's other channels is suspicious.
TABLET_GAP = 1.0


def responses_in(site: Site, date_from: date, date_to: date, channel: str | None = None):
    rows = Response.objects.filter(site=site, day__gte=date_from, day__lte=date_to)
    if channel:
        rows = rows.filter(channel=channel)
    return rows


def _counts():
    return {
        "n": Count("id"),
        "satisfied": Count("id", filter=SATISFIED),
        "dissatisfied": Count("id", filter=DISSATISFIED),
    }


def _figures(row: dict) -> Satisfaction:
    return satisfaction(
        responses=row["n"],
        satisfied=row["satisfied"],
        dissatisfied=row["dissatisfied"],
        min_sample=settings.FEEDBACK_MIN_SAMPLE,
    )


def site_satisfaction(site, date_from, date_to, channel=None) -> Satisfaction:
    return _figures(responses_in(site, date_from, date_to, channel).aggregate(**_counts()))


def rating_distribution(site, date_from, date_to, channel=None) -> list[tuple[int, int]]:
    counts = dict(
        responses_in(site, date_from, date_to, channel)
        .values_list("rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(rating, counts.get(rating, 0)) for rating in range(1, 6)]


@dataclass(frozen=True)
class Row:
    key: object
    label: str
    figures: Satisfaction
    wait_ok_pct: float | None
    courteous_pct: float | None
    resolved_pct: float | None


def _yes_share(row: dict, name: str) -> float | None:
    answered = row[f"{name}_answered"]
    return row[f"{name}_yes"] / answered if answered else None


BREAKDOWNS = {
    "channel": ("channel", None),
    "procedure": ("procedure_id", "procedure__name_fr"),
    "counter": ("counter_id", "counter__name"),
    "agent": ("agent_id", "agent__last_name"),
}


def breakdown(site, date_from, date_to, by: str, channel=None) -> list[Row]:
    """Satisfaction per channel, procedure, counter or agent: one grouped query."""
    key, label = BREAKDOWNS[by]
    fields = [key] + ([label] if label else [])
    if by == "agent":
        fields.append("agent__first_name")
    extra = {}
    for name in ("wait_ok", "courteous", "resolved"):
        extra[f"{name}_answered"] = Count("id", filter=Q(**{f"{name}__isnull": False}))
        extra[f"{name}_yes"] = Count("id", filter=Q(**{name: True}))
    rows = (
        responses_in(site, date_from, date_to, channel)
        .filter(**{f"{key}__isnull": False})
        .values(*fields)
        .annotate(**_counts(), **extra)
        .order_by("-n")
    )
    labels = dict(Channel.choices)
    result = []
    for row in rows:
        if by == "channel":
            text = str(labels.get(row[key], row[key]))
        elif by == "agent":
            text = f"{row['agent__first_name']} {row[label]}".strip()
        else:
            text = row[label] or "—"
        result.append(
            Row(
                key=row[key],
                label=text,
                figures=_figures(row),
                wait_ok_pct=_yes_share(row, "wait_ok"),
                courteous_pct=_yes_share(row, "courteous"),
                resolved_pct=_yes_share(row, "resolved"),
            )
        )
    return result


@dataclass(frozen=True)
class Flag:
    kind: str
    detail: dict


def anomalies(site, date_from, date_to) -> list[Flag]:
    """Bursts from one device, a tablet far from the other channels, ratings tied to a
    counter at a time it was closed (QR posters of a counter)."""
    rows = responses_in(site, date_from, date_to)
    flags = []
    bursts = (
        rows.filter(device__isnull=False)
        .annotate(minute=TruncMinute("answered_at"))
        .values("device_id", "device__name", "minute")
        .annotate(n=Count("id"))
        .filter(n__gte=BURST_PER_MINUTE)
        .order_by("-n")[:20]
    )
    for burst in bursts:
        flags.append(
            Flag(
                "burst",
                {"device": burst["device__name"], "at": burst["minute"], "count": burst["n"]},
            )
        )
    # One query, evaluated once: the mean and the size of each channel.
    per_channel = list(rows.values("channel").annotate(avg=Avg("rating"), n=Count("id")).order_by())
    means = {row["channel"]: row["avg"] for row in per_channel}
    sizes = {row["channel"]: row["n"] for row in per_channel}
    tablet_n = sizes.get(Channel.TABLET, 0)
    others_n = sum(n for channel, n in sizes.items() if channel != Channel.TABLET)
    minimum = settings.FEEDBACK_MIN_SAMPLE
    if tablet_n >= minimum and others_n >= minimum:
        others_mean = sum(means[c] * n for c, n in sizes.items() if c != Channel.TABLET) / others_n
        gap = means[Channel.TABLET] - others_mean
        if abs(gap) >= TABLET_GAP:
            flags.append(
                Flag(
                    "tablet_gap",
                    {"tablet": round(means[Channel.TABLET], 2), "others": round(others_mean, 2)},
                )
            )
    open_then = CounterSession.objects.filter(
        counter=OuterRef("counter"), opened_at__lte=OuterRef("answered_at")
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=OuterRef("answered_at")))
    closed = (
        rows.filter(channel=Channel.QR, counter__isnull=False)
        .exclude(Exists(open_then))
        .values("counter__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    for row in closed:
        flags.append(Flag("counter_closed", {"counter": row["counter__name"], "count": row["n"]}))
    return flags


def comments(site, date_from, date_to, moderation: str | None = None):
    rows = (
        responses_in(site, date_from, date_to)
        .exclude(comment="")
        .select_related("procedure", "counter")
        .order_by("-answered_at")
    )
    if moderation:
        rows = rows.filter(moderation=moderation)
    return rows


def period_default() -> tuple[date, date]:
    """The last 30 days, today included."""
    today = timezone.localdate()
    return today - timedelta(days=29), today
