"""DRF authentication aware of the second factor."""
from rest_framework.authentication import SessionAuthentication

from . import selectors


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session authentication that treats a session still owing its second factor as
    anonymous, so a password alone never gives an administrator's rights on the API."""

    def authenticate(self, request):
        """(user, None) for a session that is fully signed in, else None."""
        result = super().authenticate(request)
        if result is not None and selectors.user_otp_pending(user=result[0]):
            return None
        return result
