"""The KPI API, included at /api/kpi/ by ioc_gis/urls.py. Fixed paths come before the KPI
codes (the codes `summary`, `values` and `import` are reserved: kpi_code_format)."""
from django.urls import path

from . import api

urlpatterns = [
    path("", api.KpiListApi.as_view(), name="kpi-list"),
    path("summary/", api.KpiSummaryApi.as_view(), name="kpi-summary"),
    path("values/import/", api.KpiImportApi.as_view(), name="kpi-values-import"),
    path("<slug:code>/", api.KpiDetailApi.as_view(), name="kpi-detail"),
    path("<slug:code>/values/", api.KpiValuesApi.as_view(), name="kpi-values"),
]
