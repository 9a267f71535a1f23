"""Session middleware of the accounts app: idle and absolute session timeouts."""
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from . import conf

SESSION_LAST_ACTIVITY_KEY = "accounts_last_activity"  # Unix seconds of the last stamped request
SESSION_STARTED_KEY = "accounts_started"  # Unix seconds of the first authenticated request
SESSION_EXPIRED_FLAG = "accounts_session_expired"  # read (and removed) by the admin login page


class SessionIdleTimeoutMiddleware:
    """Ends an authenticated session after IOC_SESSION_IDLE_SECONDS without requests, or
    SESSION_COOKIE_AGE after it began.

    The last-activity stamp is rewritten only when it is older than a minute, so a busy
    session costs one session write a minute, not one per request. After a timeout, a page
    request is redirected to the login page (which says why); an /api/ request simply goes on
    as anonymous. Requests authenticated by API token carry no session and are not touched.
    Sits after AuthenticationMiddleware (and django-otp's).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Expire or stamp the session, then answer the request."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if session_expired(request.session, now=now):
                logout(request)
                request.session[SESSION_EXPIRED_FLAG] = True
                login_url = resolve_url(settings.LOGIN_URL)
                if not (request.path.startswith("/api/") or request.path == login_url):
                    return redirect_to_login(request.get_full_path(), login_url)
            else:
                session_touch(request.session, now=now)
        return self.get_response(request)


def session_expired(session, *, now: int) -> bool:
    """Whether the session has been idle, or alive, for too long."""
    last = session.get(SESSION_LAST_ACTIVITY_KEY)
    started = session.get(SESSION_STARTED_KEY)
    if last is not None and now - last > conf.session_idle_seconds():
        return True
    return started is not None and now - started > conf.session_max_seconds()


def session_touch(session, *, now: int) -> None:
    """Stamp activity; writes the session only when the stamp is missing or a minute old."""
    last = session.get(SESSION_LAST_ACTIVITY_KEY)
    if last is None or now - last >= conf.session_touch_seconds():
        session[SESSION_LAST_ACTIVITY_KEY] = now
    if SESSION_STARTED_KEY not in session:
        session[SESSION_STARTED_KEY] = now
