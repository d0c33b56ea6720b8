"""Quality pages shared by every part of the quality app."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest

from teranga.network.permissions import Action, site_for_user, user_can
from teranga.quality.models import Evidence


@login_required
def evidence_file(request: HttpRequest, code: str, token: str) -> FileResponse:
    """An evidence file, only to staff who work on the site's quality or audit it (the
    national team included); never cached by a shared proxy."""
    site = site_for_user(request.user, code, Action.VIEW)
    if not (
        user_can(request.user, Action.QUALITY, site) or user_can(request.user, Action.AUDIT, site)
    ):
        raise PermissionDenied
    item = Evidence.objects.filter(site=site, token=token).first()
    if item is None:
        raise Http404
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=True, filename=item.name
    )
    response["Cache-Control"] = "private, no-store"
    return response
