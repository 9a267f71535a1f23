"""Named failures of sign-in."""
from ioc_gis.errors import InvalidInputError


class OtpTokenInvalid(InvalidInputError):
    """The one-time code does not match the device (wrong, expired or already used)."""

    code = "otp_invalid"


class OtpThrottled(InvalidInputError):
    """Too many wrong codes in a row: the device refuses codes for a while."""

    code = "otp_throttled"
