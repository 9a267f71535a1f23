"""Named failures of the layers app."""
from ioc_gis.errors import ForbiddenError, InvalidInputError, NotFoundError


class UnitNotFound(NotFoundError):
    """No administrative unit with that code is in force on that date."""


class LayerNotFound(NotFoundError):
    """No layer with that slug, or not visible to the caller."""


class FeatureNotFound(NotFoundError):
    """No such feature in the layer, or outside the caller's reach."""


class InvalidQuery(InvalidInputError):
    """A query parameter is malformed (bad date, unknown level, …)."""


class FeatureValidationError(InvalidInputError):
    """One or more features failed validation; `details` lists each row's errors. Nothing was written."""

    code = "feature_validation_failed"


class LayerKindMismatch(InvalidInputError):
    """The layer does not hold features of that kind (e.g. writing features to an admin-units layer)."""


class LayerWriteForbidden(ForbiddenError):
    """The caller may see the layer but not write to it (a missing right, sector or scope)."""


class OutsideJurisdiction(InvalidInputError):
    """A write would place or change features outside the caller's jurisdiction."""

    code = "outside_jurisdiction"
