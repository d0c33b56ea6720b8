"""Mystery checks (the "Baromètre" approach): the national team runs a campaign of visits,
calls, e-mails or letters over a period with one grid of items scored 0 to 10, each tied to a
criterion of the referential; a check scores the weighted mean of its items and passes at the
campaign's pass level.

Writes: `mystery_campaign_create`, `mystery_check_record`. Reads: `campaign_results`,
`site_results`, `mystery_observations` (feeds observed criteria) and `mystery_score` (feeds
the `mystery_score` indicator)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from teranga.lib.errors import Conflict, Invalid
from teranga.network.models import Site
from teranga.network.permissions import Action, is_national_admin, user_can
from teranga.network.services import audit_record
from teranga.quality.models import (
    Criterion,
    MysteryCampaign,
    MysteryCheck,
    MysteryItem,
    MysteryScore,
    Referential,
)

# The Baromètre themes (information and orientation, delays, clarity of answers, courtesy,
# accessibility, availability of agents) per channel, each tied to the criterion of the
# shipped referential that it evidences: (criterion code, weight, French, English).
BAROMETRE = {
    MysteryCampaign.Channel.VISIT: [
        ("INFO-2.2", 1, "Orientation vers le bon service dès l'arrivée",
         "Directed to the right service on arrival"),
        ("ACC-1.2", 2, "Courtoisie de l'accueil", "Courteous reception"),
        ("ACC-1.1", 1, "Agent identifiable (badge, nom, service)",
         "Agent identifiable (badge, name, service)"),
        ("ACC-2.3", 1, "Attente annoncée sur le ticket et respectée",
         "Wait announced on the ticket and kept"),
        ("ACC-3.2", 1, "Accessibilité des locaux", "Accessible premises"),
        ("ACC-3.3", 1, "Confidentialité au guichet", "Confidentiality at the counter"),
        ("REP-3.2", 2, "Clarté de la réponse donnée", "Clarity of the answer given"),
    ],
    MysteryCampaign.Channel.PHONE: [
        ("INFO-2.2", 1, "Orientation vers le bon interlocuteur",
         "Directed to the right person"),
        ("ACC-1.2", 2, "Courtoisie au téléphone", "Courtesy on the phone"),
        ("REP-1.2", 1, "Délai de la démarche annoncé", "Delay of the procedure announced"),
        ("REP-3.2", 2, "Clarté de la réponse donnée", "Clarity of the answer given"),
    ],
    MysteryCampaign.Channel.EMAIL: [
        ("REP-1.2", 1, "Délai de réponse annoncé et tenu", "Answer delay announced and kept"),
        ("REP-3.1", 1, "Réponse signée (nom et service)", "Answer signed (name and service)"),
        ("ACC-1.2", 1, "Formule de courtoisie", "Courtesy formula"),
        ("REP-3.2", 2, "Clarté de la réponse", "Clarity of the answer"),
    ],
    MysteryCampaign.Channel.LETTER: [
        ("REP-2.2", 1, "Réponse d'attente si le délai ne peut être tenu",
         "Holding reply when the delay cannot be kept"),
        ("REP-3.1", 1, "Réponse signée (nom et service)", "Answer signed (name and service)"),
        ("ACC-1.2", 1, "Formule de courtoisie", "Courtesy formula"),
        ("REP-3.2", 2, "Clarté de la réponse", "Clarity of the answer"),
    ],
}  # fmt: skip


@dataclass(frozen=True)
class GridItem:
    criterion: str
    weight: int
    title_fr: str
    title_en: str


def default_grid(referential: Referential, channel: str) -> list[GridItem]:
    """The Baromètre items of `channel` whose criterion exists in `referential`, then one item
    for every observed criterion of the referential that none of them covers."""
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(engagement__theme__referential=referential).order_by(
            "engagement__theme__position", "engagement__position", "position"
        )
    }
    grid = [
        GridItem(code, weight, fr, en)
        for code, weight, fr, en in BAROMETRE.get(channel, [])
        if code in criteria
    ]
    covered = {item.criterion for item in grid}
    grid += [
        GridItem(c.code, c.weight, c.title_fr, c.title_en)
        for c in criteria.values()
        if c.kind == Criterion.Kind.OBSERVED and c.code not in covered
    ]
    return grid


def check_score(points: list[tuple[float, int]]) -> float:
    """The weighted mean of (points out of 10, weight), out of 10, to 2 decimals."""
    total = sum(w for _, w in points)
    if not total:
        raise ValueError("a check needs at least one weighted item")
    return round(sum(p * w for p, w in points) / total, 2)


def _national(actor) -> None:
    if not is_national_admin(actor):
        raise PermissionDenied


@transaction.atomic
def mystery_campaign_create(
    *,
    actor,
    title: str,
    channel: str,
    period_start: date,
    period_end: date,
    pass_level: float | None = None,
    items: list[GridItem] | None = None,
    referential: Referential | None = None,
) -> MysteryCampaign:
    """A campaign of the national team; `items` None takes the default grid of the channel."""
    _national(actor)
    referential = referential or Referential.objects.filter(is_current=True).first()
    if referential is None:
        raise Invalid(_("No quality referential has been published yet."))
    if not title.strip():
        raise Invalid(_("Give the campaign a title."), field="title")
    if channel not in MysteryCampaign.Channel.values:
        raise Invalid(_("Unknown channel %(channel)r.") % {"channel": channel}, field="channel")
    if period_end < period_start:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    pass_level = settings.QUALITY_MYSTERY_PASS_LEVEL if pass_level is None else pass_level
    if not 0 <= pass_level <= 10:
        raise Invalid(_("The pass level is out of 10."), field="pass_level")
    items = default_grid(referential, channel) if items is None else items
    if not items:
        raise Invalid(_("The grid needs at least one item."), field="items")
    criteria = dict(
        Criterion.objects.filter(engagement__theme__referential=referential).values_list(
            "code", "pk"
        )
    )
    unknown = sorted({i.criterion for i in items} - criteria.keys())
    if unknown:
        raise Invalid(
            _("Unknown criterion in referential %(version)s: %(codes)s.")
            % {"version": referential.version, "codes": ", ".join(unknown)},
            field="items",
        )
    for item in items:
        if item.weight < 1 or not (item.title_fr.strip() and item.title_en.strip()):
            raise Invalid(
                _("Each item needs a French and an English title and a weight of 1 or more."),
                field="items",
            )
    campaign = MysteryCampaign.objects.create(
        title=title.strip(),
        channel=channel,
        period_start=period_start,
        period_end=period_end,
        pass_level=pass_level,
        referential=referential,
        created_by=actor,
    )
    MysteryItem.objects.bulk_create(
        MysteryItem(
            campaign=campaign,
            criterion_id=criteria[item.criterion],
            weight=item.weight,
            title_fr=item.title_fr.strip()[:240],
            title_en=item.title_en.strip()[:240],
            position=n,
        )
        for n, item in enumerate(items)
    )
    audit_record(
        actor=actor,
        action="quality.mystery_campaign_create",
        instance=campaign,
        changes={
            "channel": [None, channel],
            "period": [None, f"{period_start}/{period_end}"],
            "items": [None, [i.criterion for i in items]],
        },
    )
    return campaign


def can_record_check(user, site: Site) -> bool:
    """The national team, or an auditor assigned to the site (the checker's firm)."""
    return user_can(user, Action.AUDIT, site)


@transaction.atomic
def mystery_check_record(
    *,
    actor,
    campaign: MysteryCampaign,
    site: Site,
    performed_at: datetime,
    points: dict[int, float],
    checker: str = "",
    comment: str = "",
) -> MysteryCheck:
    """One check at `site`: `points` maps every item id of the grid to 0–10."""
    if not can_record_check(actor, site):
        raise PermissionDenied
    day = timezone.localdate(performed_at)
    if not campaign.period_start <= day <= campaign.period_end:
        raise Conflict(
            _("The check is outside the campaign period (%(start)s to %(end)s).")
            % {"start": campaign.period_start, "end": campaign.period_end},
            field="performed_at",
        )
    items = {item.pk: item for item in campaign.items.all()}
    unknown = sorted(set(points) - items.keys())
    if unknown:
        raise Invalid(
            _("Unknown item: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}, field="points"
        )
    missing = [items[pk].title for pk in items if points.get(pk) is None]
    if missing:
        raise Invalid(
            _("Score every item; missing: %(items)s.") % {"items": "; ".join(missing)},
            field="points",
        )
    for pk, value in points.items():
        if not 0 <= value <= 10:
            raise Invalid(
                _("%(item)s: points go from 0 to 10.") % {"item": items[pk].title},
                field=f"item_{pk}",
            )
    check = MysteryCheck.objects.create(
        campaign=campaign,
        site=site,
        performed_at=performed_at,
        checker=checker.strip()[:120],
        score=check_score([(points[pk], item.weight) for pk, item in items.items()]),
        comment=comment.strip(),
        recorded_by=actor,
    )
    MysteryScore.objects.bulk_create(
        MysteryScore(check_row=check, item_id=pk, points=points[pk]) for pk in items
    )
    audit_record(
        actor=actor,
        action="quality.mystery_check_record",
        instance=check,
        changes={
            "score": [None, check.score],
            "points": [None, {str(k): v for k, v in points.items()}],
        },
    )
    return check


# --- reads --------------------------------------------------------------------------------


def passed(score: float, campaign: MysteryCampaign) -> bool:
    return score >= campaign.pass_level


@dataclass
class SiteRow:
    site: Site
    checks: int = 0
    mean: float | None = None
    passed_share: float | None = None  # percent
    items: dict[int, float] = field(default_factory=dict)  # item id → mean points


def campaign_results(campaign: MysteryCampaign) -> dict:
    """Per site (mean, share of checks passed, per item means) and per criterion across
    sites (3 queries)."""
    items = list(campaign.items.select_related("criterion"))
    rows: dict[int, SiteRow] = {}
    checks = MysteryCheck.objects.filter(campaign=campaign).select_related("site")
    for check in checks:
        row = rows.setdefault(check.site_id, SiteRow(site=check.site))
        row.checks += 1
        row.mean = (row.mean or 0) + check.score
        row.passed_share = (row.passed_share or 0) + (1 if passed(check.score, campaign) else 0)
    for row in rows.values():
        row.mean = round(row.mean / row.checks, 2)
        row.passed_share = round(100 * row.passed_share / row.checks, 1)
    by_criterion: dict[str, list[float]] = {}
    per_item = (
        MysteryScore.objects.filter(check_row__campaign=campaign)
        .values("check_row__site_id", "item_id", "item__criterion__code")
        .annotate(mean=Avg("points"), n=Count("id"))
    )
    for line in per_item:
        rows[line["check_row__site_id"]].items[line["item_id"]] = round(line["mean"], 2)
        by_criterion.setdefault(line["item__criterion__code"], []).extend(
            [line["mean"]] * line["n"]
        )
    total = sum(r.checks for r in rows.values())
    return {
        "items": items,
        "sites": sorted(rows.values(), key=lambda r: r.site.code),
        "criteria": {code: round(sum(v) / len(v), 2) for code, v in sorted(by_criterion.items())},
        "checks": total,
        "mean": round(sum(r.mean * r.checks for r in rows.values()) / total, 2) if total else None,
    }


def site_checks(site: Site) -> list[MysteryCheck]:
    """The site's checks, newest first, with their campaign and item scores (3 queries)."""
    return list(
        MysteryCheck.objects.filter(site=site)
        .select_related("campaign")
        .prefetch_related("scores__item__criterion")
    )


def latest_campaign(site: Site, referential: Referential) -> MysteryCampaign | None:
    """The latest campaign against `referential` with a check at `site`."""
    return (
        MysteryCampaign.objects.filter(referential=referential, checks__site=site)
        .order_by("-period_start", "-id")
        .first()
    )


def observation_of(mean: float, pass_level: float) -> str:
    """A mean item score on a criterion read as an audit finding would be: at the pass level
    or above → conform; within 2 points below it → minor; lower → major."""
    if mean >= pass_level:
        return "conform"
    if mean >= pass_level - 2:
        return "minor"
    return "major"


def mystery_observations(site_ids, referential: Referential) -> dict[int, dict[str, str]]:
    """site id → criterion code → conform/minor/major from the mean points of the items tied
    to that criterion over the site's checks of its latest campaign against `referential`
    (plain mean of the item scores; one query for all the sites)."""
    rows = (
        MysteryScore.objects.filter(
            check_row__site_id__in=list(site_ids),
            check_row__campaign__referential=referential,
            item__criterion__isnull=False,
        )
        .values(
            "check_row__site_id",
            "check_row__campaign_id",
            "check_row__campaign__period_start",
            "check_row__campaign__pass_level",
            "item__criterion__code",
        )
        .annotate(mean=Avg("points"))
    )
    latest: dict[int, tuple] = {}
    for row in rows:
        site_id = row["check_row__site_id"]
        key = (row["check_row__campaign__period_start"], row["check_row__campaign_id"])
        latest[site_id] = max(latest.get(site_id, key), key)
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for row in rows:
        site_id = row["check_row__site_id"]
        if latest[site_id][1] == row["check_row__campaign_id"]:
            out[site_id][row["item__criterion__code"]] = observation_of(
                row["mean"], row["check_row__campaign__pass_level"]
            )
    return out
