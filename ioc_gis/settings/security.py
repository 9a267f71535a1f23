"""Security headers and request limits for every environment (star-imported at the end of
base.py). What only makes sense behind HTTPS (HSTS, secure cookies, SSL redirect) is in prod.py.
The API's parser and throttle classes are configured in REST_FRAMEWORK (base.py)."""
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

# Content-Security-Policy (django-csp 4). No inline script anywhere: the Swagger UI loads its
# init script from /api/docs/?script=, Django's admin and DRF's browsable API have none.
# django-leaflet's admin widget does have inline <script>: it gets the per-request nonce
# (see ioc_gis/templates/admin/change_form.html). A nonce only reaches the header on responses
# that used it. Styles stay 'unsafe-inline': the admin, Leaflet and Swagger UI set inline styles,
# and a nonce in style-src would make browsers ignore 'unsafe-inline' there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        # CSP3 browsers let 'self' cover ws:/wss: on the same host (the live push to come).
        "connect-src": [SELF],
        # Map pages use MapLibre GL's CSP build, whose worker is our own file
        # (maplibregl.setWorkerUrl('/static/map/maplibre-gl/maplibre-gl-csp-worker.js')):
        # no blob: worker, which the standard build would need.
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Django's own headers, spelt out even where they equal Django's defaults, so that a change of
# default cannot silently weaken them.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No JavaScript of ours reads these cookies: the admin, DRF's browsable API and the Swagger UI
# take the CSRF token from the page, not from the cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Request limits. Django checks them when a body or query string is read; on /api/ the
# RequestLimitsMiddleware turns a breach into a 413/400 in the API's error format, and the
# API's SafeJSONParser applies the body size and IOC_MAX_JSON_DEPTH before decoding JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # bodies without files: room for big GeoJSON
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads spool to a temporary file (Django's 2.5 MB)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100
IOC_MAX_JSON_DEPTH = 64  # a MultiPolygon Feature inside a FeatureCollection is 8 deep
