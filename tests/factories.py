"""Factories for the network, with traits for the states tests need."""

from datetime import time

import factory
from django.contrib.auth import get_user_model

from teranga.network.models import (
    Category,
    Counter,
    Department,
    OpeningHours,
    Procedure,
    Region,
    RoleAssignment,
    Site,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Région {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Département {n}")
    capital = factory.SelfAttribute("name")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Espace Sénégal Services {o.code}")
    department = factory.SubFactory(DepartmentFactory)
    address = "Rue 1"

    class Params:
        pilot = factory.Trait(is_pilot=True)
        closed = factory.Trait(status=Site.Status.CLOSED)

    @factory.post_generation
    def with_hours(self, create, extracted, **kwargs):
        if create and extracted:
            OpeningHours.objects.bulk_create(
                OpeningHours(site=self, weekday=d, opens=time(8), closes=time(17)) for d in range(5)
            )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"CAT{n}")
    letter = factory.Sequence(lambda n: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26])
    name_fr = factory.Sequence(lambda n: f"Catégorie {n}")
    name_wo = factory.Sequence(lambda n: f"Xeet {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"PROC{n}")
    category = factory.SubFactory(CategoryFactory)
    name_fr = factory.Sequence(lambda n: f"Démarche {n}")
    name_wo = factory.Sequence(lambda n: f"Yoon {n}")
    name_en = factory.Sequence(lambda n: f"Procedure {n}")
    deadline_min_days = 3
    deadline_max_days = 10


class CounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counter

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"Guichet {n}")


PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def staff(role: str, *, site=None, region=None, username=None):
    """A user holding `role` on the given scope."""
    user = UserFactory(**({"username": username} if username else {}))
    RoleAssignment.objects.create(user=user, role=role, site=site, region=region)
    return user
