"""Named errors of the wall (HTTP statuses in ioc_gis/api/errors.py)."""
from ioc_gis.errors import ConflictError, ForbiddenError, NotFoundError


class WallNotAllowed(ForbiddenError):
    """The caller may not follow incidents (the wall's own rule: incident_feed_allowed)."""

    code = "wall_forbidden"


class PinNotAllowed(ForbiddenError):
    """Pinning and unpinning scenes needs the `wall.pin_scene` right."""

    code = "pin_forbidden"


class SceneNotFound(NotFoundError):
    code = "scene_not_found"


class PinConflict(ConflictError):
    """Another operator pinned a scene at the same moment: try again."""

    code = "pin_conflict"
