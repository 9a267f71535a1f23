"""Writes of the layers app. Feature writes are atomic: every row is validated first, and one
bad row means nothing is written."""
import contextlib
import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from .errors import (FeatureValidationError, LayerKindMismatch, LayerWriteForbidden,
                     OutsideJurisdiction)
from .models import Feature, Layer, LayerSource
from .selectors import feature_get_visible
from .signals import features_changed
from .stamping import stamp_codes, units_stamped
from .validation import FeatureInput, feature_errors, nfc, schema_checker

CHUNK_ROWS = 20_000


@dataclass
class UpsertResult:
    """What a feature upsert did."""

    read: int = 0
    inserted: int = 0
    updated: int = 0

    @property
    def unchanged(self) -> int:
        """Rows that were already stored exactly as given."""
        return self.read - self.inserted - self.updated


# A batch of SET_BASED_FROM rows or more is staged, its communes of both generations are looked
# up set-based (layers/stamping.py: the row trigger's rules, one spatial join per generation
# instead of three lookups per row, and for an upsert that updates, three more), then written
# with those codes under units_stamped. Below that the joins' setup costs more than the trigger's
# lookups (100 rows: 19.6 ms against 17.9; 200: 28 against 33; 1,000: 84 against 150).
SET_BASED_FROM = 100
STAGE_TABLE = "layers_upsert_stage"

# The anchor and its index are the ones stamping needs.
_STAGE_SQL = """
CREATE TEMP TABLE IF NOT EXISTS layers_upsert_stage (
    row_number integer PRIMARY KEY, external_id text NOT NULL, geom_wkb bytea NOT NULL,
    properties jsonb NOT NULL, observed_at timestamptz,
    anchor geometry(Point, 4326)
        GENERATED ALWAYS AS (ST_PointOnSurface(ST_GeomFromWKB(geom_wkb, 4326))) STORED
) ON COMMIT DELETE ROWS;
CREATE INDEX IF NOT EXISTS layers_upsert_stage_anchor ON layers_upsert_stage USING gist (anchor)
"""

_UPSERT_TEMPLATE = """
WITH written AS (
  INSERT INTO layers_feature AS f
         (layer_id, external_id, geom, properties, observed_at, created_at, updated_at,
          commune_code, commune_code_pre2025, district_code_pre2025)
  SELECT %(layer_id)s, s.external_id, ST_GeomFromWKB(s.geom_wkb, 4326), s.properties,
         s.observed_at, now(), now(), {codes}
    FROM layers_upsert_stage s {join}
  ON CONFLICT (layer_id, external_id) DO UPDATE
     SET geom = EXCLUDED.geom, properties = EXCLUDED.properties,
         observed_at = EXCLUDED.observed_at, updated_at = now(),
         commune_code = EXCLUDED.commune_code,
         commune_code_pre2025 = EXCLUDED.commune_code_pre2025,
         district_code_pre2025 = EXCLUDED.district_code_pre2025
   WHERE (f.geom, f.properties, f.observed_at)
         IS DISTINCT FROM (EXCLUDED.geom, EXCLUDED.properties, EXCLUDED.observed_at)
  RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
"""
# By whether the codes were stamped set-based; if not, the row trigger stamps them.
_UPSERT_SQL = {
    True: _UPSERT_TEMPLATE.format(
        codes="c.commune_code, c.commune_code_pre2025, c.district_code_pre2025",
        join="LEFT JOIN layers_upsert_stage_codes c USING (row_number)"),
    False: _UPSERT_TEMPLATE.format(codes="NULL, NULL, NULL", join=""),
}


def _validated_rows(layer: Layer, items: list[FeatureInput]) -> list[tuple]:
    """Validate every item; raise FeatureValidationError listing all failures, else return rows."""
    checker = schema_checker(layer)
    rows, failures, seen = [], [], set()
    for number, item in enumerate(items, start=1):
        shape, errors = feature_errors(item, layer=layer, checker=checker)
        if item.external_id in seen:
            errors.append("external_id appears twice in this input")
        seen.add(item.external_id)
        if errors:
            failures.append({"row": number, "external_id": item.external_id, "errors": errors})
            continue
        rows.append((item.external_id, shape.wkb_hex,
                     json.dumps(nfc(item.properties), ensure_ascii=False),
                     item.observed_at.isoformat() if item.observed_at else ""))
    if failures:
        raise FeatureValidationError(
            f"{len(failures)} of {len(items)} features are invalid; nothing was written.",
            details=failures[:1000],
        )
    return rows


def _chunk_write(cursor, layer: Layer, rows: list[tuple], first_number: int) -> tuple[int, int]:
    """Stage, stamp (if set-based) and upsert one chunk; (inserted, updated)."""
    set_based = len(rows) >= SET_BASED_FROM
    _stage(cursor, rows, first_number, set_based=set_based)
    if set_based:
        stamp_codes(STAGE_TABLE)
    with units_stamped() if set_based else contextlib.nullcontext():
        cursor.execute(_UPSERT_SQL[set_based], {"layer_id": layer.pk})
        return cursor.fetchone()


def _stage(cursor, rows: list[tuple], first_number: int, *, set_based: bool) -> None:
    """COPY the rows (numbered from `first_number`) into the emptied stage; analysed on the keys
    the stamping joins use when they will run (temporary tables are never auto-analysed).

    The stage keeps an earlier chunk's rows until commit. A small write deletes them (TRUNCATE
    makes new files for the table and its two indexes: 5 ms, more than the write itself)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for number, (external_id, wkb_hex, properties, observed_at) in enumerate(rows,
                                                                            first_number):
        writer.writerow((number, external_id, "\\x" + wkb_hex, properties, observed_at))
    buffer.seek(0)
    cursor.execute("TRUNCATE layers_upsert_stage" if set_based
                   else "DELETE FROM layers_upsert_stage")
    cursor.copy_expert(
        "COPY layers_upsert_stage (row_number, external_id, geom_wkb, properties, observed_at) "
        "FROM STDIN WITH (FORMAT csv)", buffer)
    if set_based:
        cursor.execute("ANALYZE layers_upsert_stage (row_number, external_id)")


def features_upsert(*, layer: Layer, items: Iterable[FeatureInput],
                    progress: Callable[[int], None] | None = None) -> UpsertResult:
    """Insert or update features of `layer` by external id, all or nothing.

    Unchanged rows are not rewritten, so running the same input twice changes nothing.
    `progress(n)` is called after every chunk of n rows is written.
    """
    if layer.source != LayerSource.FEATURES:
        raise LayerKindMismatch(f"layer {layer.slug} is not stored as features")
    items = list(items)
    rows = _validated_rows(layer, items)
    result = UpsertResult(read=len(rows))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL)
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start:start + CHUNK_ROWS]
            inserted, updated = _chunk_write(cursor, layer, chunk, start + 1)
            result.inserted += inserted
            result.updated += updated
            if progress:
                progress(len(chunk))
        features_changed.send(sender=Layer, layer=layer)
    return result


def _outside_ground(principal, layer: Layer, external_ids: list[str]) -> list[str]:
    if principal.province_wide:  # (and exclude(Q()) would return every row)
        return []
    rows = Feature.objects.filter(layer=layer, external_id__in=external_ids)
    return sorted(rows.exclude(principal.ground_filter()).values_list("external_id", flat=True))


def features_write(*, principal, layer: Layer, items: Iterable[FeatureInput]) -> UpsertResult:
    """A caller's batch write: rights first, then the atomic upsert, then the jurisdiction.

    Rows already stored outside the caller's ground, or landing outside it, reject the whole
    batch (nothing is written): nobody moves data into or out of someone else's area.
    """
    if not principal.can_write_layer(layer):
        raise LayerWriteForbidden(f"Không có quyền ghi vào lớp {layer.slug}.")
    items = list(items)
    ids = [item.external_id for item in items]
    with transaction.atomic():
        before = _outside_ground(principal, layer, ids)
        result = features_upsert(layer=layer, items=items)
        outside = sorted(set(before) | set(_outside_ground(principal, layer, ids)))
        if outside:
            raise OutsideJurisdiction(
                f"{len(outside)} đối tượng nằm ngoài phạm vi quản lý; không ghi gì.",
                details={"external_ids": outside[:100]})
    return result


def feature_delete(*, principal, layer: Layer, external_id: str) -> None:
    """Delete one feature the caller can see and may delete (404 if invisible, 403 if not)."""
    feature = feature_get_visible(principal=principal, layer=layer, external_id=external_id)
    if not principal.can_delete_in_layer(layer) or not Feature.objects.filter(
            pk=feature.pk).filter(principal.ground_filter()).exists():
        raise LayerWriteForbidden(f"Không có quyền xóa đối tượng của lớp {layer.slug}.")
    feature.delete()


_PUT_SQL = """
INSERT INTO layers_feature AS f
       (layer_id, external_id, geom, properties, observed_at, created_at, updated_at)
SELECT l.id, %(external_id)s, ST_GeomFromEWKB(%(geom)s), %(properties)s::jsonb, %(observed_at)s,
       now(), now()
  FROM layers_layer l WHERE l.slug = %(slug)s AND l.source = 'FEATURES'
ON CONFLICT (layer_id, external_id) DO UPDATE
   SET geom = EXCLUDED.geom, properties = EXCLUDED.properties,
       observed_at = EXCLUDED.observed_at, updated_at = now()
 WHERE (f.geom, f.properties, f.observed_at)
       IS DISTINCT FROM (EXCLUDED.geom, EXCLUDED.properties, EXCLUDED.observed_at)
"""


def feature_put_unchecked(*, layer_slug: str, external_id: str, geometry, properties: dict,
                          observed_at, announce: bool = True) -> bool:
    """Write one feature in one statement, on behalf of another domain's service that builds
    the properties itself from its own validated data (e.g. an incident's map projection: no
    schema check, no staging table). True when a row was inserted or changed.

    `announce=False` leaves draining the tile queue to the caller (`tiles.maintenance`):
    the citizens' report intake drains in the background, after its commit."""
    with connection.cursor() as cursor:
        cursor.execute(_PUT_SQL, {"slug": layer_slug, "external_id": external_id,
                                  "geom": memoryview(geometry.ewkb),
                                  "properties": json.dumps(properties, ensure_ascii=False),
                                  "observed_at": observed_at})
        written = cursor.rowcount > 0
    if written and announce:
        features_changed.send(sender=Layer, layer=None, layer_slug=layer_slug)
    return written


def feature_delete_unchecked(*, layer: Layer, external_id: str) -> bool:
    """Remove a feature on behalf of another domain's service that has checked the rights
    itself (e.g. an incident leaving the map); True when one was removed."""
    deleted, _ = Feature.objects.filter(layer=layer, external_id=external_id).delete()
    if deleted:
        features_changed.send(sender=Layer, layer=layer)
    return bool(deleted)
