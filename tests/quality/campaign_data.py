"""Data for the campaign tests: a quarter at a site where one measured criterion fails."""

from datetime import timedelta

from teranga.indicators.services import rollups_rebuild
from teranga.quality.selectors import last_quarter
from tests.indicators.data import case, rating


def quarter_data(*sites):
    """Over the last quarter: 35 ratings of 5 (responses, satisfaction and net satisfaction
    met) and 10 complaints of which 4 answered on time (REP-2.1, ≥ 90 %, not met)."""
    first, last = last_quarter()
    day = first + timedelta(days=35)
    for site in sites:
        for _ in range(35):
            rating(site, day, 5)
        for n in range(10):
            case(site, filed=day - timedelta(days=5), due=day, resolved=day - timedelta(days=1)
                 if n < 4 else day + timedelta(days=3))  # fmt: skip
    rollups_rebuild(first, last)
    return first, last
