"""The referential's pages: every staff member reads it; the national team downloads a version
as its data file and publishes the next one."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teranga.network.permissions import is_national_admin, is_staff_member
from teranga.quality import selectors, services
from teranga.quality.models import Referential

MAX_FILE_BYTES = 512 * 1024


class PublishForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Referential file (JSON)"))
    make_current = forms.BooleanField(
        label=gettext_lazy("Make it the current version (new campaigns use it)"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large (512 KB at most)."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from None


@login_required
def referential_page(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    national = is_national_admin(request.user)
    form, problems = PublishForm(), []
    if request.method == "POST":
        if not national:
            raise PermissionDenied
        form = PublishForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                referential, _created = services.referential_publish(
                    services.referential_parse(form.cleaned_data["file"]),
                    make_current=form.cleaned_data["make_current"],
                    new_only=True,
                    actor=request.user,
                )
            except services.InvalidReferential as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    _("Version %(version)s is published.") % {"version": referential.version},
                )
                return redirect("quality:referential")
    return render(
        request,
        "quality/referential.html",
        {
            "current": selectors.current_referential(),
            "versions": selectors.referential_versions(),
            "national": national,
            "form": form,
            "problems": problems,
        },
        status=422 if problems or form.errors else 200,
    )


@login_required
def referential_download(request: HttpRequest, version: str) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    referential = (
        Referential.objects.filter(version=version)
        .prefetch_related("themes__engagements__criteria")
        .first()
    )
    if referential is None:
        raise Http404
    body = json.dumps(services.referential_export(referential), ensure_ascii=False, indent=2)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="referentiel-{version}.json"'
    return response
