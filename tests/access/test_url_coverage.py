"""Every /api/, /tiles/ and /ogc/ route declares an access policy and is exercised by the access
matrix, so an endpoint that forgets the scoping selector cannot slip in unnoticed."""
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from tests.access.matrix import covered_url_names

POLICIES = {"public-reference", "scoped"}
DOCUMENTATION = {"api-schema", "api-docs", "api-docs-init"}  # describe the API, hold no data
# Pages that hold no data themselves: what they show comes through endpoints of the matrix.
DATA_FREE_PAGES = {"tile-preview"}


def api_patterns(patterns=None, prefix: str = ""):
    """(route, pattern) for every URL pattern, recursively."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def test_every_api_view_declares_a_policy_and_is_in_the_matrix():
    problems = []
    api_routes = [(r, p) for r, p in api_patterns()
                  if r.lstrip("^").startswith(("api/", "tiles/", "ogc/"))]
    assert len(api_routes) >= 10
    for route, pattern in api_routes:
        if pattern.name in DOCUMENTATION | DATA_FREE_PAGES:
            continue
        view = getattr(pattern.callback, "view_class", None)
        if view is None or not issubclass(view, APIView):
            problems.append(f"{route}: not a DRF APIView (no shared authentication/permissions)")
            continue
        if getattr(view, "access_policy", None) not in POLICIES:
            problems.append(f"{route}: {view.__name__} declares no access_policy")
        if getattr(view, "token_scope", None) is None:
            problems.append(f"{route}: {view.__name__} declares no token_scope")
        if pattern.name not in covered_url_names():
            problems.append(f"{route}: '{pattern.name}' is not in tests/access/matrix.py")
    assert problems == []


def test_the_check_catches_an_unregistered_view():
    class Forgotten(APIView):
        pass

    from django.urls import path

    fake = [path("api/forgotten/", Forgotten.as_view(), name="forgotten")]
    names = {p.name for _, p in api_patterns(fake)}
    assert "forgotten" in names and "forgotten" not in covered_url_names()
    assert getattr(Forgotten, "access_policy", None) is None
