"""The access tests' world (a private SECURITY layer and a public layer, one feature inside
the test jurisdiction, Sầm Sơn, and one outside it, TP Thanh Hóa; users of every role bound to
the inside commune), reused for the planner's view."""
from tests.access.conftest import client_as, world  # noqa: F401  (fixtures)

# A square around both test points (Sầm Sơn 105.9/19.74, TP Thanh Hóa 105.776/19.807).
AROUND_BOTH = {"type": "Polygon", "coordinates": [[
    [105.70, 19.70], [105.95, 19.70], [105.95, 19.85], [105.70, 19.85], [105.70, 19.70]]]}


def square(lon: float, lat: float, half: float = 0.01) -> dict:
    """A small GeoJSON square centred on a point."""
    return {"type": "Polygon", "coordinates": [[
        [lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
        [lon - half, lat + half], [lon - half, lat - half]]]}
