"""Publishing a referential version (from the data file shipped in the repository, or a new
version prepared by the national team)."""

import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from teranga.indicators.catalogue import by_code
from teranga.quality.models import Criterion, Engagement, Referential, Theme

DEFAULT_REFERENTIAL = Path(__file__).parent / "data" / "referentiel-ess-2026.json"


class InvalidReferential(ValueError):
    """The data file is not a valid referential: every problem is listed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _titles(node: dict, where: str, problems: list[str]) -> dict:
    title = node.get("title") or {}
    if not title.get("fr") or not title.get("en"):
        problems.append(
            _("%(where)s: a French and an English title are needed.") % {"where": where}
        )
    return {
        "title_fr": title.get("fr", ""),
        "title_en": title.get("en", ""),
        "title_wo": title.get("wo", ""),
    }


def _check(data: dict) -> list[str]:
    problems: list[str] = []
    indicators = by_code()
    seen: set[str] = set()
    if not data.get("version"):
        problems.append(_("The version is missing."))
    _titles(data, _("the referential"), problems)
    for theme in data.get("themes") or []:
        for engagement in theme.get("engagements") or []:
            criteria = engagement.get("criteria") or []
            if not criteria:
                problems.append(_("%(code)s has no criterion.") % {"code": engagement.get("code")})
            for c in criteria:
                code = c.get("code") or "?"
                if code in seen:
                    problems.append(_("%(code)s appears twice.") % {"code": code})
                seen.add(code)
                _titles(c, code, problems)
                kind = c.get("kind")
                if kind not in Criterion.Kind.values:
                    problems.append(
                        _("%(code)s: unknown kind %(kind)r.") % {"code": code, "kind": kind}
                    )
                elif kind == Criterion.Kind.MEASURED:
                    if c.get("indicator") not in indicators:
                        problems.append(
                            _("%(code)s: unknown indicator %(indicator)r.")
                            % {"code": code, "indicator": c.get("indicator")}
                        )
                    if c.get("comparison") not in Criterion.Comparison.values:
                        problems.append(
                            _("%(code)s: the comparison must be >= or <=.") % {"code": code}
                        )
                    if not isinstance(c.get("threshold"), int | float):
                        problems.append(
                            _("%(code)s: a numeric threshold is needed.") % {"code": code}
                        )
                elif c.get("indicator") or c.get("threshold") is not None:
                    problems.append(
                        _("%(code)s: only a measured criterion has an indicator and a threshold.")
                        % {"code": code}
                    )
                if not isinstance(c.get("weight", 1), int) or c.get("weight", 1) < 1:
                    problems.append(
                        _("%(code)s: the weight must be a whole number ≥ 1.") % {"code": code}
                    )
    if not seen:
        problems.append(_("The referential has no criterion."))
    return problems


@transaction.atomic
def referential_publish(data: dict, *, make_current: bool = True) -> tuple[Referential, bool]:
    """Create the version described by `data` (and make it current), or return the existing
    one of that version (False). Raises InvalidReferential listing every problem."""
    problems = _check(data)
    if problems:
        raise InvalidReferential(problems)
    existing = Referential.objects.filter(version=data["version"]).first()
    if existing is not None:
        return existing, False
    ignored: list[str] = []
    referential = Referential.objects.create(version=data["version"], **_titles(data, "", ignored))
    for t, theme in enumerate(data["themes"]):
        theme_row = Theme.objects.create(
            referential=referential, code=theme["code"], position=t, **_titles(theme, "", ignored)
        )
        for e, engagement in enumerate(theme["engagements"]):
            engagement_row = Engagement.objects.create(
                theme=theme_row, code=engagement["code"], position=e,
                **_titles(engagement, "", ignored),
            )  # fmt: skip
            Criterion.objects.bulk_create(
                Criterion(
                    engagement=engagement_row,
                    code=c["code"],
                    kind=c["kind"],
                    indicator=c.get("indicator", ""),
                    comparison=c.get("comparison", ""),
                    threshold=c.get("threshold"),
                    min_sample=c.get("min_sample"),
                    weight=c.get("weight", 1),
                    mandatory=c.get("mandatory", False),
                    position=k,
                    **_titles(c, "", ignored),
                )
                for k, c in enumerate(engagement["criteria"])
            )
    if make_current:
        Referential.objects.filter(is_current=True).update(is_current=False)
        referential.is_current = True
        referential.save(update_fields=["is_current"])
    return referential, True


def referential_publish_default() -> tuple[Referential, bool]:
    """The referential shipped with Teranga (made current only if none is)."""
    data = json.loads(DEFAULT_REFERENTIAL.read_text(encoding="utf-8"))
    return referential_publish(
        data, make_current=not Referential.objects.filter(is_current=True).exists()
    )
