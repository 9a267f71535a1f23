"""What the tile server precomputes so that no tile request transforms, simplifies or
aggregates more than one tile's worth of rows (ADR 0007).

All of these are derived data: triggers keep them in step with features and units
(migration 0002), and `manage.py tiles_rebuild` recomputes them from scratch."""
from django.contrib.gis.db import models
from django.db.models import Q


class LayerTileState(models.Model):
    """A counter bumped by the database whenever a layer's data changes: the TileJSON version."""

    layer = models.OneToOneField("layers.Layer", on_delete=models.CASCADE, primary_key=True,
                                 related_name="tile_state")
    data_version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now_add=True)


class PointCell(models.Model):
    """Counts of a dense point layer's features per grid cell, month, category and status, for
    the low zooms (<= DETAIL_MAX_ZOOM) where filtered tiles would otherwise read too many rows.

    Cell (cx, cy) at `level` L is numbered like tile z=L: a tile z is drawn from the cells at
    level z + CELL_LEVELS_PER_TILE (16 × 16 cells per tile). `sx`/`sy` sum the points' 3857
    coordinates, so a cell is drawn at the mean of its points (a single point stays in place).
    """

    layer = models.ForeignKey("layers.Layer", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    month = models.DateField(null=True)  # local (Asia/Ho_Chi_Minh) month of observed_at
    category = models.TextField(default="")
    status = models.TextField(default="")
    n = models.IntegerField()
    sx = models.FloatField()
    sy = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["layer", "level", "cx", "cy", "month", "category", "status"],
            nulls_distinct=False, name="tiles_pointcell_key")]


class PointCellTotal(models.Model):
    """All-time counts per cell and category, at every aggregated zoom: an unfiltered cluster
    tile reads at most 16 × 16 × categories rows."""

    layer = models.ForeignKey("layers.Layer", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    category = models.TextField(default="")
    n = models.IntegerField()
    sx = models.FloatField()
    sy = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["layer", "level", "cx", "cy", "category"],
                                               name="tiles_pointcelltotal_key")]


class PointDelta(models.Model):
    """A change to a dense point layer's counts not yet folded into the cells: +1 for a point
    that appeared, -1 for one that left. Writers only append here (no shared row to lock, so
    concurrent reports do not queue behind each other); tile queries add these rows to the
    cells, and the drain folds them in (`tiles.maintenance.deltas_fold`)."""

    layer = models.ForeignKey("layers.Layer", on_delete=models.CASCADE, related_name="+")
    x = models.FloatField()  # 3857 point (on surface) of the feature
    y = models.FloatField()
    month = models.DateField(null=True)
    category = models.TextField(default="")
    status = models.TextField(default="")
    sign = models.SmallIntegerField()
    # The feature's local day and the units it was stamped into (layers' feature trigger), for
    # the per-unit counts (UnitMonthCount, UnitDayCount).
    day = models.DateField(null=True)
    commune_code = models.TextField(default="")
    commune_code_pre2025 = models.TextField(default="")
    district_code_pre2025 = models.TextField(default="")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(sign__in=(-1, 1)),
                                              name="tiles_pointdelta_sign")]


class UnitKind(models.TextChoices):
    """Which stamped code of a feature a unit count follows (ADR 0005)."""

    COMMUNE = "c", "xã/phường (hiện hành)"
    COMMUNE_PRE2025 = "p", "xã (trước 1/7/2025)"
    DISTRICT_PRE2025 = "d", "huyện (trước 1/7/2025)"


class UnitMonthCount(models.Model):
    """Features of a dense point layer per unit and local month, for the drill-down's figures
    (`tiles.unit_counts`): a province-wide count reads a few thousand rows instead of a
    million features. Kept like the cluster counts: deltas queued by the trigger, folded by
    the drain; readers add the pending deltas."""

    layer = models.ForeignKey("layers.Layer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=1, choices=UnitKind.choices)
    code = models.TextField()
    month = models.DateField(null=True)
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["layer", "kind", "code", "month"],
                                               nulls_distinct=False,
                                               name="tiles_unitmonthcount_key")]


class UnitDayCount(models.Model):
    """The same counts per local day, for the days of a window that do not fill a month (a
    window is whole local days: no feature is ever counted one by one)."""

    layer = models.ForeignKey("layers.Layer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=1, choices=UnitKind.choices)
    code = models.TextField()
    day = models.DateField()
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["layer", "kind", "code", "day"],
                                               name="tiles_unitdaycount_key")]
        # A window's edge days of every unit (the province's choropleth).
        # code and n ride along: a window's edge days are read from the index alone (the rows
        # of one day lie all over the table)
        indexes = [models.Index(fields=["layer", "kind", "day"], include=["code", "n"],
                                name="tiles_unitday_window")]


class UnitShape(models.Model):
    """A unit version's boundary in web mercator, simplified for a band of zooms."""

    unit = models.ForeignKey("layers.AdminUnit", on_delete=models.CASCADE, related_name="+")
    band = models.PositiveSmallIntegerField()  # lowest zoom the simplification is made for
    geom = models.MultiPolygonField(srid=3857)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "band"], name="tiles_unitshape_key")]
        indexes = [models.Index(fields=["band"], name="tiles_unitshape_band")]


class UnitLabel(models.Model):
    """Where a unit's name is written: the centre of its largest inscribed circle."""

    unit = models.OneToOneField("layers.AdminUnit", on_delete=models.CASCADE, primary_key=True,
                                related_name="+")
    point = models.PointField(srid=3857)


class BasemapKind(models.TextChoices):
    ROAD = "road", "Đường giao thông"
    RIVER = "river", "Sông"
    COASTLINE = "coastline", "Đường bờ biển"
    BORDER = "border", "Biên giới quốc gia"


class BasemapFeature(models.Model):
    """Our own basemap: roads, rivers, coastline and the national border (fixtures/thanh-hoa)."""

    kind = models.CharField(max_length=12, choices=BasemapKind.choices)
    name = models.CharField(max_length=200, blank=True)
    ref = models.CharField(max_length=20, blank=True)
    is_approximate = models.BooleanField(default=False)
    source = models.CharField(max_length=200)
    geom = models.GeometryField(srid=3857)

    class Meta:
        indexes = [models.Index(fields=["kind"], name="tiles_basemap_kind")]


class DirtyRegion(models.Model):
    """A box (3857) whose tiles must leave the cache: written by triggers in the same
    transaction as the change, removed by the drain once the tiles are invalidated.
    `layer` NULL stands for the administrative units (every ADMIN_UNITS layer)."""

    layer = models.ForeignKey("layers.Layer", on_delete=models.CASCADE, null=True,
                              related_name="+")
    min_x = models.FloatField()  # (xmin is a PostgreSQL system column)
    min_y = models.FloatField()
    max_x = models.FloatField()
    max_y = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(min_x__lte=models.F("max_x"),
                                                          min_y__lte=models.F("max_y")),
                                              name="tiles_dirtyregion_box")]
