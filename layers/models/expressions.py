"""Database expressions shared by the models (kept here so migrations can import them)."""
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.fields import DateRangeField
from django.db import models


class Fold(models.Func):
    """ioc_fold(text): lower-case, accent-free text (Đ→d, ầ→a). An IMMUTABLE SQL function
    created by migration 0001, so the database itself computes every search name."""

    function = "ioc_fold"
    output_field = models.TextField()


class DateRange(models.Func):
    """daterange(from, to, '[)'): a unit version's validity, half-open; NULL = unbounded."""

    function = "daterange"
    output_field = DateRangeField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(models.F(start), models.F(end), models.Value("[)"))


def web_mercator(field: str) -> Transform:
    """The 3857 copy kept by the database for tiles (docs/adr/0001-storage-srid.md)."""
    return Transform(field, 3857)
