"""The test URLs plus a tiny API view behind VerifiedSessionAuthentication
(for tests/accounts/test_api_session.py)."""
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import VerifiedSessionAuthentication
from accounts_urls import handler404, handler500, urlpatterns as test_urlpatterns  # noqa: F401


class WhoAmI(APIView):
    """Echoes who the API thinks the caller is."""

    authentication_classes = [VerifiedSessionAuthentication]
    permission_classes = []

    def get(self, request):
        return Response({"user": request.user.get_username() or None})


urlpatterns = [path("api/whoami/", WhoAmI.as_view()), *test_urlpatterns]
