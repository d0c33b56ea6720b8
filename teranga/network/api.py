"""Public network API: health, sites, procedures; and `me` for bearer tokens."""

from datetime import date

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from teranga.network import selectors
from teranga.network.auth import bearer
from teranga.network.models import Region, Site
from teranga.network.permissions import Action, sites_for, user_roles

router = Router(tags=["network"])


class ErrorOut(Schema):
    detail: str = Field(description="what went wrong, in words")


class FieldError(Schema):
    field: str
    message: str


class InvalidOut(ErrorOut):
    errors: list[FieldError] = Field(description="one entry per invalid field")


class HealthOut(Schema):
    status: str
    database: str
    version: str


class HoursOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    opens: str = Field(description="local time, HH:MM", pattern=r"^\d{2}:\d{2}$")
    closes: str = Field(description="local time, HH:MM", pattern=r"^\d{2}:\d{2}$")


class SiteOut(Schema):
    code: str
    name: str
    department: str
    region: str
    is_pilot: bool
    status: str = Field(description="open | closed (temporarily)")
    address: str
    phone: str
    opening_hours: list[HoursOut]


class SiteDetailOut(SiteOut):
    opened_on: date | None
    latitude: float | None
    longitude: float | None
    procedures: list[str] = Field(description="codes of the procedures offered")


class Names(Schema):
    fr: str
    wo: str
    en: str


class CategoryOut(Schema):
    code: str
    letter: str
    names: Names

    @staticmethod
    def resolve_names(cat) -> dict:
        return {"fr": cat.name_fr, "wo": cat.name_wo, "en": cat.name_en}


class ProcedureOut(Schema):
    code: str
    names: Names
    category: CategoryOut
    deadline_min_days: int = Field(description="announced deadline, working days (minimum)")
    deadline_max_days: int = Field(description="announced deadline, working days (maximum)")
    fee_fcfa: int
    documents: list[str] = Field(description="documents to bring (French)")

    @staticmethod
    def resolve_names(proc) -> dict:
        return {"fr": proc.name_fr, "wo": proc.name_wo, "en": proc.name_en}

    @staticmethod
    def resolve_documents(proc) -> list[str]:
        return proc.document_list


class SiteFilters(Schema):
    # The patterns refuse (422) what no slug or code holds, e.g. a NUL byte, which PostgreSQL
    # rejects with an error (500) instead of finding nothing.
    region: str | None = Field(
        None, description="region slug, e.g. saint-louis", max_length=60, pattern=r"^[-\w]+$"
    )
    pilot: bool | None = Field(None, description="only pilot sites (true) or the others (false)")


class ProcedureFilters(Schema):
    site: str | None = Field(
        None, description="site code, e.g. DKR", max_length=10, pattern=r"^[A-Za-z0-9]+$"
    )


class MeOut(Schema):
    kind: str = Field(description="user | device")
    username: str | None = None
    roles: list[str] = []
    sites: list[str] = Field([], description="codes of the sites in the caller's scope")
    device_kind: str | None = None


@router.get("/health", response={200: HealthOut, 503: HealthOut}, summary="Service health")
def health(request: HttpRequest):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Status(200, {"status": "ok", "database": "ok", "version": settings.VERSION})
    except Exception:  # any database failure means "not healthy", never a 500
        return Status(
            503, {"status": "error", "database": "unreachable", "version": settings.VERSION}
        )


@router.get(
    "/sites",
    response={200: list[SiteOut], 404: ErrorOut, 422: InvalidOut},
    summary="The Espaces Sénégal Services",
)
def sites_list(request: HttpRequest, filters: Query[SiteFilters]):
    if filters.region is not None and not Region.objects.filter(slug=filters.region).exists():
        raise Http404(f"Unknown region '{filters.region}'.")
    return selectors.sites_public_rows(region_slug=filters.region, pilot=filters.pilot)


@router.get(
    "/sites/{code}",
    response={200: SiteDetailOut, 404: ErrorOut, 422: InvalidOut},
    summary="One site",
)
def sites_get(request: HttpRequest, code: str):
    rows = selectors.sites_public_rows(code=code)
    if not rows:
        raise Http404(f"Unknown site '{code}'.")
    site = Site(pk=rows[0].pop("pk"))
    return {**rows[0], "procedures": [p.code for p in selectors.procedures_offered(site)]}


@router.get(
    "/procedures",
    response={200: list[ProcedureOut], 404: ErrorOut, 422: InvalidOut},
    summary="The procedure catalogue, or the procedures one site offers",
)
def procedures_list(request: HttpRequest, filters: Query[ProcedureFilters]):
    site = selectors.site_or_404(filters.site) if filters.site else None
    return selectors.procedures_offered(site)


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    auth=bearer,
    summary="Who the bearer token belongs to, and its scope",
)
def me(request: HttpRequest):
    principal = request.auth
    if principal.device is not None:
        return {
            "kind": "device",
            "device_kind": principal.device.kind,
            "sites": [principal.device.site.code],
        }
    user = principal.user
    return {
        "kind": "user",
        "username": user.get_username(),
        "roles": sorted(user_roles(user)),
        "sites": list(sites_for(user, Action.VIEW).order_by("code").values_list("code", flat=True)),
    }
