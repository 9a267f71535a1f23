"""Bookkeeping of the demo loader, so a second `make demo` is fast and keeps the data."""
from django.db import models


class DemoLoad(models.Model):
    """The last successful demo load: what was loaded (fingerprint of fixtures + loader) and when."""

    name = models.CharField("tên bộ dữ liệu", max_length=50, unique=True)
    fingerprint = models.CharField("dấu vân tay", max_length=64)
    scale = models.PositiveIntegerField("hệ số quy mô", default=1)
    counts = models.JSONField("số lượng", default=dict)
    loaded_at = models.DateTimeField("nạp lúc", auto_now=True)

    class Meta:
        verbose_name = "lần nạp dữ liệu demo"
        verbose_name_plural = "lần nạp dữ liệu demo"

    def __str__(self) -> str:
        return f"{self.name} ×{self.scale} ({self.loaded_at:%Y-%m-%d %H:%M})"
