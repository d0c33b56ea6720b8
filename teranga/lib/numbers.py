"""Figures written for staff pages and charts."""


def number(value: float | None, unit: str = "") -> str:
    """A figure as people read it: "12", "87.5 %", "12 min", "7.3/10", "—" for no value."""
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"
    if unit in ("%", "min"):
        return f"{text} {unit}"
    if unit == "/10":
        return f"{text}/10"
    return text
