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
