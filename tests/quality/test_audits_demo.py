"""The demo's audits, labels and mystery checks at the pilot sites."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from teranga.demo.quality_audits import demo_quality_audits
from teranga.network.models import Site
from teranga.network.services import demo_seed
from teranga.quality import audits
from teranga.quality.models import Audit, LabelDecision, MysteryCampaign, MysteryCheck
from teranga.quality.services import referential_publish_default

pytestmark = pytest.mark.django_db


def test_the_demo_audits_labels_and_mystery_checks_the_pilots_once():
    demo_seed()
    referential, _created = referential_publish_default()
    assert demo_quality_audits() == 7  # six pilots and one campaign
    assert demo_quality_audits() == 0
    pilots = list(Site.objects.filter(is_pilot=True))
    today = timezone.localdate()
    assert Audit.objects.filter(kind="certification", status="completed").count() == len(pilots)
    assert Audit.objects.filter(kind="follow_up", status="planned").count() == len(pilots)
    for site in pilots:
        status = audits.label_status(site)
        assert status.state == "labelled"
        assert timedelta(days=90) < status.follow_up_due - today < timedelta(days=150)
        found = audits.observations([site.pk], referential)[site.pk]
        assert "minor" in found.values()
    assert LabelDecision.objects.count() == len(pilots)
    checks = Counter(MysteryCheck.objects.values_list("site__code", flat=True))
    assert set(checks) == {s.code for s in pilots} and set(checks.values()) <= {2, 3, 4}
    campaign = MysteryCampaign.objects.get()
    failed = MysteryCheck.objects.filter(score__lt=campaign.pass_level).count()
    assert 2 <= failed <= 4
    # The first reminders come when the follow-up is 90 days away.
    first = min(d.follow_up_on for d in LabelDecision.objects.all())
    assert audits.label_reminders_send(today=first - timedelta(days=90)) >= 1
