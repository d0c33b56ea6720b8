"""Action plans and training at the pilot sites: a plan of 4 to 6 actions (from gaps, a
recurring complaint theme, some done on time, one overdue) and two referential training
sessions whose attendance differs from site to site, so that shares differ."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from teranga.cases import services as cases
from teranga.cases.models import Case
from teranga.network.models import Role, RoleAssignment, Site, User
from teranga.quality import actions, training
from teranga.quality.models import Action, Attendance, TrainingSession

NATIONAL_TOPIC = "Atelier national : le référentiel qualité ESS et le label"
SITE_TOPIC = "Mise en pratique du référentiel à l'accueil"
THEME = "attente"


def _session(admin, topic: str, days_ago: int, trainer: str, place: str, site=None):
    found = TrainingSession.objects.filter(topic=topic, site=site).first()
    if found is not None:
        return found
    return training.session_create(
        actor=admin, topic=topic, trainer=trainer, place=place, site=site,
        held_on=timezone.localdate() - timedelta(days=days_ago),
    )  # fmt: skip


def _tag_complaints(site: Site, agent) -> None:
    """Three of the site's demo complaints get the theme that recurs."""
    for case in Case.objects.filter(site=site, kind="complaint").exclude(tags__contains=THEME)[:3]:
        cases.case_tags_set(case=case, actor=agent, tags=",".join([*case.tag_list, THEME]))


@transaction.atomic
def demo_quality_actions(site: Site) -> int:
    """Idempotent: a site that has a plan already gets nothing new."""
    admin = User.objects.filter(username="admin").first()
    staff = list(actions.site_staff(site))
    if admin is None or not staff or Action.objects.filter(site=site).exists():
        return 0
    pilots = list(Site.objects.filter(is_pilot=True).order_by("code").values_list("pk", flat=True))
    rank = pilots.index(site.pk) if site.pk in pilots else 0
    today = timezone.localdate()
    manager = next(
        (u for u in staff if RoleAssignment.objects.filter(user=u, site=site,
                                                            role=Role.SITE_MANAGER).exists()),
        staff[0],
    )  # fmt: skip
    agents = [u for u in staff if u != manager] or staff

    def owner(n):
        return agents[n % len(agents)]

    def add(title, due_in, params=None, **extra):
        found = actions.suggestion(site, params or {})
        return actions.action_create(
            site=site, actor=admin, title=title, owner=extra.pop("owner", manager),
            due_date=today + timedelta(days=due_in), origin=found.origin,
            indicator=found.indicator, expected_value=found.expected_value, **extra,
        )  # fmt: skip

    _tag_complaints(site, agents[0])
    plan = [
        add("Ouvrir un guichet de plus de 9 h à 11 h", 30, {"criterion": "ACC-2.1"}),
        add("Annoncer l'attente estimée à l'entrée", 45, {"theme": THEME}, owner=owner(0)),
        add("Afficher l'affiche des résultats à l'entrée", 10, {"criterion": "INFO-3.1"}),
        add("Badges nominatifs pour tous les agents", 10, owner=owner(1)),
    ]
    actions.action_progress(
        action=plan[0], actor=admin, to="in_progress", note="Planning des renforts préparé."
    )
    # Done on time (backdated: the demo tells a story of the last weeks).
    actions.action_progress(action=plan[2], actor=admin, to="done", note="Affiche posée.")
    Action.objects.filter(pk=plan[2].pk).update(
        due_date=today - timedelta(days=20), done_on=today - timedelta(days=24)
    )
    # One overdue.
    Action.objects.filter(pk=plan[3].pk).update(due_date=today - timedelta(days=6 + rank))
    if rank % 2 == 0:
        late = add("Rampe d'accès provisoire", 10, {"criterion": "ACC-3.2"}, owner=owner(2))
        actions.action_progress(action=late, actor=admin, to="done")
        Action.objects.filter(pk=late.pk).update(
            due_date=today - timedelta(days=40), done_on=today - timedelta(days=31)
        )
    if rank % 3 == 0:
        add("Analyser chaque mois les motifs de réclamation", 60, {"criterion": "ECO-2.2"})
    _demo_training(site, admin, staff, rank)
    return Action.objects.filter(site=site).count()


def _demo_training(site: Site, admin, staff: list, rank: int) -> None:
    national = _session(
        admin, NATIONAL_TOPIC, 200, "Sénégal Numérique et PNUD", "Dakar, Sénégal Numérique"
    )
    # A different share at each pilot: the first `present` staff attended the national one.
    present = max(1, len(staff) - rank % 3 - 1)
    marks = {u.pk: i < present for i, u in enumerate(staff)}
    if not Attendance.objects.filter(session=national, user__in=staff).exists():
        training.attendance_set(session=national, actor=admin, site=site, marks=marks)
    if site.code == "DKR":
        local = _session(admin, SITE_TOPIC, 45, "Cabinet d'audit Qualis", site.name, site=site)
        # Those who missed the national workshop caught up here.
        missed = {pk: True for pk, was_there in marks.items() if not was_there}
        training.attendance_set(session=local, actor=admin, site=site, marks=missed)
