"""Publishing a referential version (from the data file shipped in the repository, or a new
version prepared by the national team)."""

import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from teranga.indicators.catalogue import by_code
from teranga.lib.errors import Invalid
from teranga.network.services import audit_record
from teranga.quality.models import Criterion, Engagement, Referential, Theme

DEFAULT_REFERENTIAL = Path(__file__).parent / "data" / "referentiel-ess-2026.json"


MAX_WEIGHT = 10


class InvalidReferential(Invalid):
    """The data file is not a valid referential: every problem is listed, with its line when
    the referential was read from text; the API answers them all."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems

    def body(self) -> dict:
        return {
            "detail": _("The referential is refused, nothing was published."),
            "problems": self.problems,
        }


class VersionExists(InvalidReferential):
    """The version is already published (and a published version never changes): the API
    answers a conflict that says so."""

    status = 409

    def body(self) -> dict:
        return {"detail": self.message}


class _Located(dict):
    """A JSON object that remembers the line it starts on."""

    line: int | None = None


def referential_parse(text: str) -> dict:
    """The referential in `text` (JSON), every object knowing its line for error messages.
    Raises InvalidReferential on a syntax error, with its line."""

    def parse_object(s_and_end, *args):
        found, end = json.decoder.JSONObject(s_and_end, *args)
        located = _Located(found)
        located.line = text.count("\n", 0, s_and_end[1]) + 1
        return located, end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object
    # The C scanner ignores parse_object: the Python one calls it (the file is small).
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        data = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidReferential(
            [
                _("Line %(line)d: not valid JSON (%(error)s).")
                % {"line": exc.lineno, "error": exc.msg}
            ]
        ) from None
    if not isinstance(data, dict):
        raise InvalidReferential([_("The file must hold one JSON object.")])
    return data


def _at(node, message: str) -> str:
    line = getattr(node, "line", None)
    return _("Line %(line)d: %(problem)s") % {"line": line, "problem": message} if line else message


def _titles(node: dict, where: str, problems: list[str]) -> dict:
    title = node.get("title") or {}
    if not title.get("fr") or not title.get("en"):
        problems.append(
            _at(node, _("%(where)s: a French and an English title are needed.") % {"where": where})
        )
    return {
        "title_fr": title.get("fr", ""),
        "title_en": title.get("en", ""),
        "title_wo": title.get("wo", ""),
    }


def _check_measured(c: dict, code: str, indicators: dict, problems: list[str]) -> None:
    if not c.get("indicator"):
        problems.append(
            _at(c, _("%(code)s: a measured criterion needs an indicator.") % {"code": code})
        )
    elif c["indicator"] not in indicators:
        problems.append(
            _at(c, _("%(code)s: unknown indicator %(indicator)r.")
                % {"code": code, "indicator": c["indicator"]})
        )  # fmt: skip
    if c.get("comparison") not in Criterion.Comparison.values:
        problems.append(_at(c, _("%(code)s: the comparison must be >= or <=.") % {"code": code}))
    if not isinstance(c.get("threshold"), int | float) or isinstance(c.get("threshold"), bool):
        problems.append(_at(c, _("%(code)s: a numeric threshold is needed.") % {"code": code}))
    sample = c.get("min_sample", 0)
    if not isinstance(sample, int) or isinstance(sample, bool) or sample < 0:
        problems.append(
            _at(c, _("%(code)s: the minimum sample must be a whole number ≥ 0.") % {"code": code})
        )


def _check_criterion(c: dict, indicators: dict, problems: list[str]) -> None:
    code = c.get("code") or "?"
    _titles(c, code, problems)
    kind = c.get("kind")
    if kind not in Criterion.Kind.values:
        problems.append(
            _at(c, _("%(code)s: unknown kind %(kind)r.") % {"code": code, "kind": kind})
        )
    elif kind == Criterion.Kind.MEASURED:
        _check_measured(c, code, indicators, problems)
    elif c.get("indicator") or c.get("threshold") is not None:
        problems.append(
            _at(c, _("%(code)s: only a measured criterion has an indicator and a threshold.")
                % {"code": code})
        )  # fmt: skip
    weight = c.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= MAX_WEIGHT:
        problems.append(
            _at(c, _("%(code)s: the weight must be a whole number from 1 to %(max)d.")
                % {"code": code, "max": MAX_WEIGHT})
        )  # fmt: skip
    if not isinstance(c.get("mandatory", False), bool):
        problems.append(_at(c, _("%(code)s: mandatory must be true or false.") % {"code": code}))


def _children(node: dict, key: str, problems: list[str]) -> list[dict]:
    items = node.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems.append(_at(node, _("%(key)s must be a list of objects.") % {"key": key}))
        return []
    return items


def _check(data: dict) -> list[str]:
    problems: list[str] = []
    indicators = by_code()
    if not data.get("version"):
        problems.append(_at(data, _("The version is missing.")))
    _titles(data, _("the referential"), problems)
    seen: set[str] = set()  # theme, engagement and criterion codes share one space
    criteria_count = 0
    for theme in _children(data, "themes", problems):
        engagements = _children(theme, "engagements", problems)
        nodes = [theme, *engagements]
        for engagement in engagements:
            criteria = _children(engagement, "criteria", problems)
            criteria_count += len(criteria)
            if not criteria:
                problems.append(
                    _at(
                        engagement,
                        _("%(code)s has no criterion.") % {"code": engagement.get("code")},
                    )
                )
            for c in criteria:
                _check_criterion(c, indicators, problems)
            nodes.extend(criteria)
        for item in nodes:
            code = item.get("code")
            if not code or not isinstance(code, str):
                problems.append(_at(item, _("A code is missing.")))
            elif code in seen:
                problems.append(_at(item, _("%(code)s appears twice.") % {"code": code}))
            seen.add(code)
    if not criteria_count:
        problems.append(_("The referential has no criterion."))
    return problems


@transaction.atomic
def referential_publish(
    data: dict, *, make_current: bool = True, new_only: bool = False, actor=None
) -> tuple[Referential, bool]:
    """Create the version described by `data` (and make it current), or return the existing
    one of that version (False) — refused instead with `new_only`, since a published version
    never changes. Raises InvalidReferential listing every problem."""
    problems = _check(data)
    if problems:
        raise InvalidReferential(problems)
    existing = Referential.objects.filter(version=data["version"]).first()
    if existing is not None and new_only:
        message = _(
            "Version %(version)s is already published: a published version never changes, "
            "give the new one another number."
        )
        raise VersionExists([_at(data, message % {"version": existing.version})])
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
    audit_record(
        actor=actor,
        action="quality.referential_publish",
        instance=referential,
        changes={"is_current": [None, referential.is_current]},
    )
    return referential, True


def referential_publish_default() -> tuple[Referential, bool]:
    """The referential shipped with Teranga (made current only if none is)."""
    data = referential_parse(DEFAULT_REFERENTIAL.read_text(encoding="utf-8"))
    return referential_publish(
        data, make_current=not Referential.objects.filter(is_current=True).exists()
    )


def referential_export(referential: Referential) -> dict:
    """A version as the data file it was published from: the start of the next version."""

    def titles(node) -> dict:
        found = {"fr": node.title_fr, "en": node.title_en}
        return {**found, "wo": node.title_wo} if node.title_wo else found

    def criterion(c: Criterion) -> dict:
        row = {"code": c.code, "title": titles(c), "kind": c.kind}
        if c.kind == Criterion.Kind.MEASURED:
            row |= {"indicator": c.indicator, "comparison": c.comparison,
                    "threshold": c.threshold, "min_sample": c.min_sample or 0}  # fmt: skip
        return row | {"weight": c.weight, "mandatory": c.mandatory}

    return {
        "version": referential.version,
        "title": titles(referential),
        "themes": [
            {
                "code": t.code,
                "title": titles(t),
                "engagements": [
                    {
                        "code": e.code,
                        "title": titles(e),
                        "criteria": [criterion(c) for c in e.criteria.all()],
                    }
                    for e in t.engagements.all()
                ],
            }
            for t in referential.themes.all()
        ],
    }
