"""Test-only URLconf: the project's URLs plus API views that report what they received, so
request limits and throttles can be probed whatever endpoints the apps offer today.

The views keep DRF's defaults (parsers, throttles) from REST_FRAMEWORK, which is what the tests
are about; only the permission (and, for the token probe, the authentication) is fixed."""
from django.contrib.auth import get_user_model
from django.urls import path
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ioc_gis.urls import urlpatterns as project_urlpatterns


class EchoApi(APIView):
    """POST: size of the parsed body; GET: number of query parameters."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"size": len(request.query_params)})

    def post(self, request):
        return Response({"size": len(request.data)})


class ProbeTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` accepted as is: an unsaved user, `request.auth` = the key."""

    def authenticate(self, request):
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Token" or not key:
            return None
        return get_user_model()(username=f"probe-{key}"), key


class TokenEchoApi(EchoApi):
    """EchoApi for token holders."""

    authentication_classes = [ProbeTokenAuthentication]


urlpatterns = [
    path("api/probe/echo/", EchoApi.as_view()),
    path("api/probe/token-echo/", TokenEchoApi.as_view()),
    *project_urlpatterns,
]
