"""Bearer authentication for staff tokens and device tokens, for the API."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from teranga.lib import rows
from teranga.lib.tokens import DEVICE_PREFIX, token_digest, token_is_well_formed
from teranga.network.models import ApiToken, Device, Site, User
from teranga.network.permissions import is_staff_member

# last_used_at is refreshed at most this often, so a busy kiosk does not write on every
# request.
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff user or a device (never both)."""

    user: object | None = None
    device: Device | None = None

    @property
    def kind(self) -> str:
        return "device" if self.device is not None else "user"


def _touch(credential) -> None:
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > TOUCH_EVERY:
        type(credential).objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


# The token lookups run on every API request of a kiosk or an agent: plain SQL written once
# (teranga.lib.rows), an equality on the unique token_hash index; revocation and a deactivated
# user take effect on the next request.
_DEVICE_SQL = f"""
    SELECT {rows.columns(Device, "d")}, {rows.columns(Site, "s")}
    FROM {Device._meta.db_table} d JOIN {Site._meta.db_table} s ON s.id = d.site_id
    WHERE d.token_hash = %s AND d.revoked_at IS NULL
"""
_TOKEN_SQL = f"""
    SELECT {rows.columns(ApiToken, "t")}, {rows.columns(User, "u")}
    FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id
    WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active
"""


def principal_from_token(raw: str) -> Principal | None:
    """The user or device owning this live token, or None."""
    digest = token_digest(raw)
    if raw.startswith(DEVICE_PREFIX):
        device = rows.one_with_related(_DEVICE_SQL, [digest], Device, "site")
        if device is None:
            return None
        _touch(device)
        return Principal(device=device)
    token = rows.one_with_related(_TOKEN_SQL, [digest], ApiToken, "user")
    if token is None:
        return None
    _touch(token)
    return Principal(user=token.user)


class BearerAuth(HttpBearer):
    """Staff or device bearer token. Malformed, unknown and revoked tokens get a 401."""

    def authenticate(self, request, token: str):
        if not token_is_well_formed(token):
            raise HttpError(401, _("Malformed token: expected 'Authorization: Bearer tg…'."))
        principal = principal_from_token(token)
        if principal is None:
            raise HttpError(401, _("Unknown or revoked token."))
        return principal


bearer = BearerAuth()


def staff_user(request):
    """The staff member behind the request's bearer token; a device's token, or a user with
    no staff role, is refused (403)."""
    user = request.auth.user
    if user is None or not is_staff_member(user):
        raise PermissionDenied
    return user
