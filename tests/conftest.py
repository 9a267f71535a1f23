"""Test fixtures. Tests run against the real PostGIS that `make test` provides (pytest-django
creates test_<database>); the demo province is loaded once per session into that database."""
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM then refuses to run
# there unless told this is deliberate. Only tests do this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, with the Thanh Hóa demo loaded once."""
    from demo.loader import demo_load

    with django_db_blocker.unblock():
        demo_load(scale=1, progress=False)


@pytest.fixture
def api_client():
    """A DRF test client."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def fresh_tile_state(settings):
    """Each test starts with an empty tile cache and a fresh layer snapshot: tests roll back
    their data, so tiles cached by one test must not answer the next."""
    from tiles.cache import reset_tile_cache
    from tiles.sources import registry
    from tiles.units import reset_unit_epochs

    def clear() -> None:
        from access.principal import principals_forget
        from incidents.selectors import categories_forget

        principals_forget()
        categories_forget()
        registry.reset()
        reset_unit_epochs()
        reset_tile_cache()
        _empty_tile_cache(settings)

    clear()
    yield
    clear()


def _empty_tile_cache(settings) -> None:
    import shutil

    if settings.TILES_CACHE == "file":
        shutil.rmtree(settings.TILES_CACHE_DIR, ignore_errors=True)
    elif settings.TILES_CACHE == "redis":
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(f"{settings.TILES_CACHE_PREFIX}:*", count=1000):
            client.delete(key)


@pytest.fixture(scope="module")
def redis_url():
    """The live-push Redis of the real-process tests (skipped without one)."""
    import redis
    from django.conf import settings

    url = settings.IOC_LIVE_REDIS_URL or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url} (make test provides one: scripts/redis.sh)")
    return url


@pytest.fixture
def user_of_role(db):
    """user_of_role(role, units=() | [AdminUnit…] | "province", sectors=None, name=None,
    email="") → a fresh staff user in the group of that role, bound to those units and
    sectors when given."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction
    from layers.models import AdminLevel, AdminUnit

    made = [0]

    def build(role: str, *, units=(), sectors=None, name: str | None = None, email: str = ""):
        made[0] += 1
        user = get_user_model().objects.create_user(name or f"staff-{role}-{made[0]}",
                                                    password="x", is_staff=True, email=email)
        user.groups.add(Group.objects.get(name=role))
        if units == "province":
            units = [AdminUnit.objects.get(level=AdminLevel.PROVINCE, valid_to__isnull=True)]
        if units or sectors:
            jurisdiction = Jurisdiction.objects.create(user=user, sectors=sectors or [])
            jurisdiction.units.set(units)
        return user
    return build


@pytest.fixture
def api_of():
    """api_of(user) → an APIClient signed in as that user (anonymous for None)."""
    from rest_framework.test import APIClient

    def build(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    return build


@pytest.fixture
def api_of_role(user_of_role, api_of):
    """api_of_role(role, **user_of_role options) → an APIClient signed in as a fresh user of
    the role ("anonymous": not signed in)."""
    return lambda role, **options: api_of(None if role == "anonymous"
                                          else user_of_role(role, **options))
