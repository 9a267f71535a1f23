"""Helpers of the audit tests."""
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_admin_client(username: str = "audit-admin") -> tuple[Client, object]:
    """A test client signed in as a superuser whose session has passed the TOTP second factor
    (the admin demands it of administrators)."""
    user = get_user_model().objects.create_superuser(username, f"{username}@example.vn", "x")
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, user


def form_data(form) -> dict:
    """POST data that resubmits a bound admin form's current values unchanged."""
    data = {}
    for name in form.fields:
        value = form[name].value()  # already prepared for the widget
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    return data
