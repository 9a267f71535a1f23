"""Helpers of the sign-in tests (kept out of conftest.py so tests can import them)."""
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "mat-khau-thu-nghiem-123"


def confirmed_device(user) -> TOTPDevice:
    """Give the user a confirmed TOTP device."""
    return TOTPDevice.objects.create(user=user, name="điện thoại", confirmed=True)


def next_token(device: TOTPDevice) -> str:
    """A code the device accepts now: the current time step, or the one after the last used
    (a code is accepted once; the device tolerates one step of clock drift)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def admin_password_login(client, username: str, password: str = PASSWORD, **extra):
    """POST the admin login form."""
    return client.post("/admin/login/?next=/admin/",
                       {"username": username, "password": password}, **extra)
