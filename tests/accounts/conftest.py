"""Fixtures of the sign-in tests: users of each kind and a TOTP helper."""
import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from accounts_helpers import PASSWORD


@pytest.fixture(autouse=True)
def accounts_urls(settings):
    """Route /accounts/ even before ioc_gis/urls.py includes the app."""
    try:
        reverse("accounts:otp")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "accounts_urls"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Axes and throttles may keep state in the cache; start every test clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_user(django_user_model):
    """Create a user with the test password."""
    def make(username: str, **fields):
        return django_user_model.objects.create_user(username, f"{username}@example.vn",
                                                     PASSWORD, **fields)
    return make


@pytest.fixture
def superuser(django_user_model):
    """A superuser without any OTP device."""
    return django_user_model.objects.create_superuser("sieuquantri", "sqt@example.vn", PASSWORD)


@pytest.fixture
def group_admin(make_user):
    """A staff member of the administrator group (not a superuser)."""
    user = make_user("quantrinhom", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="administrator")[0])
    return user


@pytest.fixture
def staff(make_user):
    """Ordinary staff: admin access, no second factor unless they enrol."""
    return make_user("canbo", is_staff=True)
