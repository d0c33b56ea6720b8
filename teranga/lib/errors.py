"""Why a request was refused. The services of every app (and the API's own checks) raise
these; one handler in teranga/api.py answers them with their status and body, and the pages
show their message."""


class ServiceError(Exception):
    """A refusal: `status` is the HTTP status the API answers, `message` says why, `field`
    names the form field it concerns (empty: the whole form)."""

    status = 400

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field

    def body(self) -> dict:
        """The API's JSON answer."""
        return {"detail": self.message}


def add_to_form(form, exc: ServiceError) -> None:
    """Show a refusal beside the form field it concerns, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class Invalid(ServiceError):
    """Bad input: unknown procedure, invalid phone, rating outside 1–5, missing title…
    Answered as a refused schema is (InvalidOut): the message and the field it concerns."""

    status = 422

    def body(self) -> dict:
        return {**super().body(), "errors": [{"field": self.field, "message": self.message}]}


class Forbidden(ServiceError):
    """The caller may not act on this site or this item."""

    status = 403


class Conflict(ServiceError):
    """The action is illegal in the current state, or already done (finish a ticket never
    called, rate a visit twice, change a completed audit…)."""

    status = 409


class Limited(ServiceError):
    """Too many attempts from one source in a period: try again later."""

    status = 429
