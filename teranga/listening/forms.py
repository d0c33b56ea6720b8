import re

from django import forms
from django.utils.translation import gettext_lazy as _

from teranga.listening.models import Channel
from teranga.listening.services import COMMENT_MAX

RATINGS = [
    (5, _("Very happy")),
    (4, _("Happy")),
    (3, _("Neither happy nor unhappy")),
    (2, _("Unhappy")),
    (1, _("Very unhappy")),
]
YES_NO = [("", _("No answer")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        required=False,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was your visit?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five answers.")},
    )
    wait_ok = _yes_no(_("Was the wait acceptable?"))
    courteous = _yes_no(_("Were you received courteously?"))
    resolved = _yes_no(_("Did you get what you came for?"))
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please do not write your name or phone number."),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    t = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def follow_ups(self):
        return [self["wait_ok"], self["courteous"], self["resolved"]]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Feedback code printed on your ticket"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])  # "1053 7304" as read aloud
        if not re.fullmatch(r"\d{6,8}", code):
            raise forms.ValidationError(_("The code has 8 digits, e.g. 12345678."))
        return code


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the period must not be after its end."))
        return data
