"""Dates in the page's language, Wolof included: `{% load i18n_dates %}{{ case.due_on|day }}`."""

from datetime import date, datetime

from django import template
from django.utils import timezone

from teranga.lib.i18n import date_day

register = template.Library()


@register.filter
def day(value: date | datetime | None) -> str:
    """The day of a date or of an aware datetime (in the site's time zone), written out."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return date_day(value)
