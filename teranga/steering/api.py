"""The steering endpoints under /api/v1/: indicators, public results."""

from ninja import Router

router = Router(tags=["steering"])
