"""Domain error categories. Apps raise subclasses from their own errors.py; the API maps the
categories to HTTP statuses in exactly one place (ioc_gis/api/errors.py)."""


class DomainError(Exception):
    """Base of every named failure the domain reports to a caller."""

    code = "error"

    def __init__(self, message: str, *, details: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFoundError(DomainError):
    """The thing asked for does not exist (or is invisible to the caller)."""

    code = "not_found"


class InvalidInputError(DomainError):
    """The caller sent something we cannot accept."""

    code = "invalid"


class ForbiddenError(DomainError):
    """The caller is known but may not do this (a missing right or token scope)."""

    code = "forbidden"


class ConflictError(DomainError):
    """The request clashes with the current state."""

    code = "conflict"
