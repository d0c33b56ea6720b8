"""Why a cases action was refused: each error carries the HTTP status the API answers."""


class CasesError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(CasesError):
    """Bad input: empty message, unknown procedure, invalid phone, contact without consent…"""

    status = 422


class Forbidden(CasesError):
    """The caller may not act on this site or this item."""

    status = 403


class Conflict(CasesError):
    """The workflow forbids this change in the current state."""

    status = 409


class TooMany(CasesError):
    """Too many attempts from this address: try again later."""

    status = 429
