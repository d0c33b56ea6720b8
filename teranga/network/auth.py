"""Bearer authentication for staff tokens and device tokens, for the API."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from teranga.lib.tokens import DEVICE_PREFIX, token_digest, token_is_well_formed
from teranga.network.models import ApiToken, Device

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


def principal_from_token(raw: str) -> Principal | None:
    """The user or device owning this live token, or None."""
    digest = token_digest(raw)
    if raw.startswith(DEVICE_PREFIX):
        # order_by(): the model's default ordering would add a join and a sort to a lookup
        # that matches one row through a unique index.
        device = (
            Device.objects.select_related("site")
            .filter(token_hash=digest, revoked_at__isnull=True)
            .order_by()
            .first()
        )
        if device is None:
            return None
        _touch(device)
        return Principal(device=device)
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .order_by()
        .first()
    )
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
