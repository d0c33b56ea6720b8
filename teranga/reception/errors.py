"""Why a reception action was refused: each error carries the HTTP status the API answers."""


class ReceptionError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(ReceptionError):
    """Bad input: unknown procedure, invalid phone, missing consent…"""

    status = 422


class Forbidden(ReceptionError):
    """The caller may not act on this site or counter."""

    status = 403


class Conflict(ReceptionError):
    """The action is illegal in the current state (finish a ticket never called…)."""

    status = 409
