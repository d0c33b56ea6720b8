"""The referential shipped with Teranga, publishing versions, the API and the live score."""

import copy
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from teranga.indicators.catalogue import by_code
from teranga.indicators.services import rollups_rebuild
from teranga.network.models import Role
from teranga.network.services import api_token_create, device_create
from teranga.quality.models import Criterion, Referential
from teranga.quality.selectors import last_quarter
from teranga.quality.services import (
    DEFAULT_REFERENTIAL,
    InvalidReferential,
    referential_parse,
    referential_publish,
    referential_publish_default,
)
from tests.factories import ProcedureFactory, staff
from tests.indicators.data import rating, ticket


def _data():
    return json.loads(DEFAULT_REFERENTIAL.read_text(encoding="utf-8"))


def test_default_referential_shape(db):
    referential, created = referential_publish_default()
    assert created and referential.is_current
    themes = list(referential.themes.all())
    assert [t.code for t in themes] == ["INFO", "ACC", "REP", "ECO", "PIL"]
    engagements = [e for t in themes for e in t.engagements.all()]
    assert 12 <= len(engagements) <= 20
    assert all(2 <= e.criteria.count() <= 5 for e in engagements)
    measured = Criterion.objects.filter(kind="measured")
    assert {c.indicator for c in measured} <= set(by_code())
    assert {"served_within_target_pct", "complaints_answered_on_time_pct", "satisfaction_pct"} <= {
        c.indicator for c in measured
    }
    assert referential_publish_default() == (referential, False)  # idempotent


def test_invalid_referential_lists_every_problem_and_writes_nothing(db):
    data = copy.deepcopy(_data())
    data["version"] = "ESS-bad"
    criteria = data["themes"][1]["engagements"][1]["criteria"]
    criteria[0]["indicator"] = "happiness"
    criteria[1]["comparison"] = "=="
    criteria[2]["kind"] = "guessed"
    data["themes"][0]["engagements"][0]["criteria"][1]["code"] = "INFO-1.1"
    with translation.override("en"), pytest.raises(InvalidReferential) as caught:
        referential_publish(data)
    text = str(caught.value)
    assert "unknown indicator 'happiness'" in text
    assert "comparison must be >= or <=" in text
    assert "unknown kind 'guessed'" in text
    assert "INFO-1.1 appears twice" in text
    assert not Referential.objects.exists()


def test_new_version_becomes_current_old_one_kept(db):
    first, _ = referential_publish_default()
    data = _data()
    data["version"] = "ESS-2027.1"
    second, created = referential_publish(data)
    first.refresh_from_db()
    assert created and second.is_current and not first.is_current
    assert first.themes.count() == 5  # the old version keeps its content


@translation.override("en")
def test_command(db, capsys, tmp_path):
    call_command("publish_referential")
    assert "ESS-2026.1 published" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "X", "themes": []}')
    with pytest.raises(CommandError, match="has no criterion"):
        call_command("publish_referential", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("publish_referential", str(tmp_path / "missing.json"))


def _get(client, path, user=None, raw=None):
    if user is not None:
        _, raw = api_token_create(user=user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    return client.get(path, **headers)


def test_api_current_referential(client, two_sites):
    dakar, _ = two_sites
    agent = staff(Role.AGENT, site=dakar)
    assert _get(client, "/api/v1/quality/referentials/current", agent).status_code == 404
    referential_publish_default()
    assert _get(client, "/api/v1/quality/referentials/current").status_code == 401
    _, raw = device_create(site=dakar, kind="kiosk", name="Borne")
    assert _get(client, "/api/v1/quality/referentials/current", raw=raw).status_code == 403
    body = _get(client, "/api/v1/quality/referentials/current", agent).json()
    assert body["version"] == "ESS-2026.1"
    criteria = {
        c["code"]: c for t in body["themes"] for e in t["engagements"] for c in e["criteria"]
    }
    assert criteria["ACC-2.1"] == {
        "code": "ACC-2.1",
        "title": criteria["ACC-2.1"]["title"],
        "kind": "measured",
        "indicator": "served_within_target_pct",
        "comparison": ">=",
        "threshold": 80.0,
        "min_sample": 100,
        "weight": 3,
        "mandatory": True,
    }
    declared = criteria["INFO-1.1"]
    assert (declared["indicator"], declared["comparison"], declared["threshold"]) == (None,) * 3
    assert declared["min_sample"] is None


def test_api_site_quality_live_prescore(client, two_sites):
    """The last quarter's data pre-scores the measured criteria; a failing one is a gap."""
    dakar, thies = two_sites
    referential_publish_default()
    first, last = last_quarter()
    proc = ProcedureFactory()
    day = first + timedelta(days=3)
    for k in range(120):  # 120 tickets, 60 within 20 minutes: 50 % < 80 %
        ticket(dakar, proc, day, wait=600 if k % 2 else 2400, service=300)
    for k in range(40):
        rating(dakar, day, 5 if k < 36 else 1)  # 90 % satisfied
    rollups_rebuild(first, last)
    manager = staff(Role.SITE_MANAGER, site=dakar)
    response = _get(client, "/api/v1/sites/DKR/quality", manager)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["period_from"], body["period_to"]) == (first.isoformat(), last.isoformat())
    gaps = {g["criterion"]: g for g in body["gaps"]}
    assert gaps["ACC-2.1"] == {"criterion": "ACC-2.1", "reason": "not_met", "value": 50.0,
                               "sample": 120}  # fmt: skip
    assert "ECO-1.1" not in gaps  # 90 % of 40 answers
    assert gaps["REP-2.1"]["reason"] == "too_few"  # no complaint was due
    assert gaps["INFO-1.1"]["reason"] == "unanswered"
    assert body["label_ready"] is False
    assert 0 < body["overall"] < 100
    assert set(body["themes"]) == {"INFO", "ACC", "REP", "ECO", "PIL"}
    # Scope: Thiès staff are refused Dakar; partners see it.
    other = staff(Role.SITE_MANAGER, site=thies)
    assert _get(client, "/api/v1/sites/DKR/quality", other).status_code == 403
    partner = staff(Role.PARTNER)
    assert _get(client, "/api/v1/sites/DKR/quality", partner).status_code == 200
    assert _get(client, "/api/v1/sites/NOPE/quality", partner).status_code == 404


def _opening_line(text: str, code: str, occurrence: int = 0) -> int:
    """The line (1-based) of the `{` opening the object whose code is `code`."""
    lines = text.splitlines()
    found = [i for i, line in enumerate(lines) if f'"code": "{code}"' in line][occurrence]
    return next(i for i in range(found, -1, -1) if lines[i].rstrip().endswith("{")) + 1


def test_problems_name_their_exact_line(db):
    data = copy.deepcopy(_data())
    data["version"] = "ESS-lines"
    reception = data["themes"][1]["engagements"][1]["criteria"]
    del reception[0]["indicator"]  # ACC-2.1: a measured criterion without its indicator
    reception[1]["weight"] = 11  # ACC-2.2: out of range
    data["themes"][2]["engagements"][0]["criteria"][1]["code"] = "ACC-2.3"  # duplicated
    text = json.dumps(data, ensure_ascii=False, indent=2)
    with translation.override("en"), pytest.raises(InvalidReferential) as caught:
        referential_publish(referential_parse(text))
    assert caught.value.problems == [
        f"Line {_opening_line(text, 'ACC-2.1')}: ACC-2.1: a measured criterion needs an indicator.",
        f"Line {_opening_line(text, 'ACC-2.2')}: ACC-2.2: the weight must be a whole number "
        "from 1 to 10.",
        f"Line {_opening_line(text, 'ACC-2.3', 1)}: ACC-2.3 appears twice.",
    ]
    assert not Referential.objects.filter(version="ESS-lines").exists()


def test_a_syntax_error_names_its_line(db):
    with translation.override("en"), pytest.raises(InvalidReferential, match="Line 3: not valid"):
        referential_parse('{\n  "version": "X",\n  "themes": [,]\n}')
    with translation.override("en"), pytest.raises(InvalidReferential, match="one JSON object"):
        referential_parse("[1, 2]")
