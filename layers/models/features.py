"""The feature store: every sector layer's geometry and properties, in PostGIS."""
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Func, Q, Value
from django.db.models.lookups import Exact

from .expressions import web_mercator
from .layer import Layer


class Feature(models.Model):
    """One feature of a layer. The database keeps, on every write: the 3857 copy for tiles, and
    the containing commune/district codes of both unit generations (trigger from migration 0003)."""

    # Indexed by the (layer, external_id) constraint and the (layer, …) indexes below.
    layer = models.ForeignKey(Layer, verbose_name="lớp", on_delete=models.PROTECT,
                              related_name="features", db_index=False)
    external_id = models.CharField("mã ngoài", max_length=200,
                                   help_text="Định danh ở hệ thống nguồn, duy nhất trong lớp")
    # Spatial reads go through the (layer, geom_3857) index (layers.selectors.in_bbox): a
    # second GiST on the WGS84 copy only made every write dearer (0.7 s of 100,000 inserts).
    geom = models.GeometryField("hình học", srid=4326, spatial_index=False)
    geom_3857 = models.GeneratedField(
        expression=web_mercator("geom"), output_field=models.GeometryField(srid=3857),
        db_persist=True,
    )
    properties = models.JSONField("thuộc tính", default=dict)
    observed_at = models.DateTimeField("thời điểm", null=True, blank=True, db_index=False)
    commune_code = models.CharField("mã xã (hiện hành)", max_length=5, null=True, blank=True,
                                    editable=False)
    commune_code_pre2025 = models.CharField("mã xã (trước 1/7/2025)", max_length=5, null=True,
                                            blank=True, editable=False)
    district_code_pre2025 = models.CharField("mã huyện (trước 1/7/2025)", max_length=3,
                                             null=True, blank=True, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "đối tượng bản đồ"
        verbose_name_plural = "đối tượng bản đồ"
        constraints = [
            models.UniqueConstraint(fields=["layer", "external_id"],
                                    name="feature_external_id_per_layer"),
            models.CheckConstraint(
                condition=Exact(Func(F("properties"), function="jsonb_typeof",
                                     output_field=models.TextField()), Value("object")),
                name="feature_properties_object",
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="feature_geom_valid"),
            models.CheckConstraint(
                condition=Exact(Func(F("geom"), function="ST_IsEmpty",
                                     output_field=models.BooleanField()), Value(False)),
                name="feature_geom_not_empty",
            ),
            models.CheckConstraint(condition=~Q(external_id=""), name="feature_external_id_set"),
        ]
        indexes = [
            # Every spatial read names one layer (tiles, bbox lists): one index answers both
            # conditions (btree_gist), where two indexes ANDed read the whole layer's entries.
            GistIndex(fields=["layer", "geom_3857"], name="feature_layer_geom_3857_gist"),
            models.Index(fields=["layer", "observed_at"], name="feature_layer_time"),
            models.Index(fields=["layer", "commune_code"], name="feature_layer_commune"),
            models.Index(fields=["layer", "commune_code_pre2025"], name="feature_layer_commune_old"),
        ]

    def __str__(self) -> str:
        return f"{self.layer.slug}:{self.external_id}"
