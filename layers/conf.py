"""Settings of the layers app, read lazily from django.conf.settings with defaults."""
from datetime import date

from django.conf import settings

# The last day of the pre-reform generation (the district level ended on 1 July 2025).
# Features keep the codes of both generations; see docs/adr/0002-admin-unit-versioning.md.
REFORM_2025_EFFECTIVE = date(2025, 7, 1)
PRE_REFORM_REFERENCE_DATE = date(2025, 6, 30)

PROVINCE_CODE = "38"


def province_code() -> str:
    """GSO code of the province this deployment serves."""
    return getattr(settings, "IOC_PROVINCE_CODE", PROVINCE_CODE)
