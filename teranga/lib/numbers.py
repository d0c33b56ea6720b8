"""Figures written for staff pages and charts."""

from django.utils.formats import number_format


def number(value: float | None, unit: str = "") -> str:
    """A figure as people read it in the active language: "12", "87,5 %" in French ("87.5 %"
    in English), "12 min", "7,3/10", "—" for no value."""
    if value is None:
        return "—"
    value = round(value, 1)
    text = number_format(value, 1 if value % 1 else 0)
    if unit in ("%", "min"):
        return f"{text} {unit}"
    if unit == "/10":
        return f"{text}/10"
    return text
