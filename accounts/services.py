"""Writes about a user's second factor: enrolment, verification and reset."""
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import OtpThrottled, OtpTokenInvalid

PENDING_DEVICE_NAME = "Ứng dụng xác thực"


def totp_device_pending_get_or_create(*, user) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created with a fresh random key when there is none.

    Reused across page loads so a QR code already scanned stays valid until confirmed.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PENDING_DEVICE_NAME, confirmed=False)
    return device


def totp_device_verify(*, device: TOTPDevice, token: str) -> TOTPDevice:
    """Check a one-time code against the device; confirm the device if it was pending.

    django-otp refuses a code reused within its time step and slows down guessing (each
    failure doubles the wait before the next code is looked at).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        verified = allowed and device.verify_token(token)  # a failure is saved, not rolled back
        if verified and not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    if not allowed:
        raise OtpThrottled(_throttle_message(info))
    if not verified:
        raise OtpTokenInvalid("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng thử lại.")
    return device


def _throttle_message(info: dict | None) -> str:
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return "Thiết bị xác thực tạm thời bị khóa. Vui lòng thử lại sau."
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return f"Bạn đã nhập sai mã nhiều lần. Vui lòng đợi {seconds} giây rồi thử lại."


def otp_devices_reset(*, user) -> int:
    """Delete every second-factor device of the user (lost phone); they enrol again at the
    next login. Returns how many devices were removed."""
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
    return len(devices)
