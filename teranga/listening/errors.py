"""Why a rating was refused: each error carries the HTTP status the API answers."""


class FeedbackError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(FeedbackError):
    """Bad input: rating outside 1–5, unknown code, answer dated in the future…"""

    status = 422


class Forbidden(FeedbackError):
    status = 403


class Conflict(FeedbackError):
    """Already done: the visit was rated, or the tablet was pressed again too soon."""

    status = 409


class Limited(FeedbackError):
    """Too many answers from one source in a period."""

    status = 429
