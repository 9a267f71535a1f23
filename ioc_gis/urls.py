"""URL map: only includes of the apps' own urls, plus probes and API docs."""
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ioc_gis import views
from ioc_gis.api.health import healthz, readyz

admin.site.site_header = "ioc-gis · Trung tâm Điều hành thông minh Thanh Hóa"
admin.site.site_title = "ioc-gis"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file: no inline script under our CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("layers.urls")),
    path("api/", include("incidents.urls")),
    path("api/planner/", include("planner.api_urls")),
    path("api/wall/", include("wall.api_urls")),  # the video wall's scenes, pin, KPIs
    path("api/drill/", include("drilldown.api_urls")),
    path("api/alerts/", include("alerts.api_urls")),  # alerts raised to owner departments
    path("api/sources/", include("sources.api_urls")),  # liveness and quality of data sources
    path("api/integration/", include("integration.urls")),  # file connectors: uploads, runs
    path("api/kpi/", include("kpi.urls")),  # KPI registry, values, summary (issue 8)
    path("api/hotspots/", include("hotspots.urls")),  # incident hotspots, patterns (issue 8)
    path("api/insights/", include("insights.urls")),  # KPIs needing attention, forecasts
    path("api/dashboard/", include("dashboard.api_urls")),  # KPI across units, records, briefing
    path("api/observations/", include("observations.urls")),  # MQTT sensor streams
    path("", include("rasters.urls")),  # /api/rasters/…, /api/units/…/rasters/, /tiles/raster/…
    path("tiles/", include("tiles.urls")),
    path("phan-anh/", include("citizen.urls")),  # citizens' report form and tracking pages
    path("dieu-hanh/", include("console.urls")),  # operators' pages: the live operator map
    path("open311/v2/", include("open311.urls")),
    path("ogc/", include("ogc.urls")),  # OGC API – Features 1.0.1
    # The staff screens (ioc_gis/screens.py): wall, operator console, drill-down, planner.
    path("wall/", include("wall.urls")),
    path("ops/", include("console.ops_urls")),
    path("drill/", include("drilldown.urls")),
    path("planner/", include("planner.urls")),
    path("dashboard/", include("dashboard.urls")),  # strategic dashboard (issue 8)
    path("data/", include("sources.urls")),  # data sources: liveness, uploads, alerts
    path("i18n/setlang/", set_language, name="set-language"),
]

handler400 = "ioc_gis.views.bad_request"
handler404 = "ioc_gis.views.not_found"
handler500 = "ioc_gis.views.server_error"
