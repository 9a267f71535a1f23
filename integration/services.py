"""Writes of the integration app: start an import run (check the upload, queue it) and execute
it (read, map, validate every row, write the valid ones in one transaction).

Decisions (README "Data integration: file connectors"):
- a row that fails validation is *rejected* and reported; the valid rows are imported. A run
  *fails* — and writes no feature — when the file cannot be read, when every row is rejected,
  or when anything goes wrong during the write (the one transaction rolls back);
- rows are upserted by external id; rows already stored exactly so are counted unchanged and
  not rewritten, so importing the same file again writes nothing;
- an uploader bound to units imports only on their ground (rows outside are rejected)."""
import contextlib
import logging
from collections import defaultdict
from typing import BinaryIO

import shapely
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from access.principal import Principal, principal_for_user
from audit.services import audit_context
from ioc_gis.errors import DomainError
from layers.models import Layer
from layers.signals import features_changed
from tiles.maintenance import bulk_writes

from . import conf, writer
from .errors import ConnectorInactive, ImportForbidden, NoValidRows, RunNotQueued
from .mapping import PropertyMapper, external_ids, observed_times
from .models import PULL_TRIGGERS, Connector, ImportRun, RejectedRow, RunPhase, RunStatus
from .positions import Reasons, file_type_check, positions
from .progress import Callback, ProgressReporter
from .pull import pull_fetch
from .reader import SourceTable, source_read
from .uploads import upload_store

log = logging.getLogger(__name__)
RAW_TEXT_LIMIT = 500


def import_run_start(*, connector: Connector, principal: Principal | None, file: BinaryIO,
                     file_name: str, size: int | None, user=None, token=None,
                     dispatch: bool = True) -> ImportRun:
    """Check an upload (size, zip inspection, sniffed format), store it under a generated name
    and queue its import after the commit; the QUEUED run. `principal=None` acts as the
    system (commands); `dispatch=False` leaves executing it to the caller."""
    if principal is not None and not principal.can_write_layer(connector.layer):
        raise ImportForbidden(f"Không có quyền ghi vào lớp {connector.layer.slug}.")
    if not connector.is_active:
        raise ConnectorInactive(f"Kết nối “{connector.name}” đang tắt.")
    stored = upload_store(source=file, file_name=file_name, size=size)
    run = ImportRun.objects.create(
        connector=connector, file_name=file_name[-255:], stored_path=stored.relative_path,
        file_size=sum(p.stat().st_size for p in stored.directory.iterdir()),
        driver=stored.driver, created_by=user, token=token)
    if dispatch:
        from .tasks import run_dispatch

        transaction.on_commit(lambda: run_dispatch(run.pk))
    return run


def import_run_execute(*, run: ImportRun, progress: Callback | None = None) -> ImportRun:
    """Run a QUEUED import to its end; the run, SUCCEEDED or FAILED with a message.

    Raises RunNotQueued when another worker already took it; re-raises unexpected errors
    after marking the run failed."""
    claimed = ImportRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, phase=RunPhase.READING, started_at=timezone.now())
    if not claimed:
        raise RunNotQueued(f"Lượt nhập #{run.pk} đã được xử lý.")
    reporter = ProgressReporter(run.pk, progress)
    try:
        with audit_context(command="import_file", import_run=run.pk,
                           connector=run.connector_id):
            _execute(run, reporter)
    except NoValidRows as exc:
        _fail(run, exc.message, rejected=exc.details)
    except DomainError as exc:
        _fail(run, exc.message)
    except DatabaseError as exc:
        _fail(run, "Lỗi khi ghi dữ liệu; không ghi đối tượng nào: "
                   + str(exc).strip().splitlines()[0][:500])
    except Exception:
        log.exception("import run %s failed", run.pk)
        _fail(run, "Lỗi nội bộ khi nhập; không ghi đối tượng nào (chi tiết trong nhật ký).")
        raise
    finally:
        reporter.close()
        _sources_refresh(run.connector_id)
    run.refresh_from_db()
    return run


def _sources_refresh(connector_id: int) -> None:
    """The data page shows a finished run at once (sources/): a failure to re-check is logged,
    never the run's."""
    from sources.services import connector_refresh

    try:
        with transaction.atomic():
            connector_refresh(connector_id=connector_id)
    except DatabaseError:
        log.exception("sources refresh after a run of connector %s failed", connector_id)


def _principal(run: ImportRun) -> Principal | None:
    if run.created_by is None:
        return None  # a command run by the operator of the server
    return principal_for_user(run.created_by, run.token)


def _raw(table: SourceTable, index: int) -> dict:
    raw = {}
    for name, column in table.columns.items():
        value = column[index]
        if isinstance(value, str) and len(value) > RAW_TEXT_LIMIT:
            value = value[:RAW_TEXT_LIMIT] + "…"
        elif not isinstance(value, (str, int, float, bool, type(None))):
            value = str(value)
        raw[name] = value
    if table.geometries is not None and table.geometries[index] is not None:
        raw["_geometry"] = shapely.to_wkt(table.geometries[index], rounding_precision=7)[:300]
    return raw


def _execute(run: ImportRun, reporter: ProgressReporter) -> None:
    connector = Connector.objects.select_related("layer").get(pk=run.connector_id)
    layer, principal = connector.layer, _principal(run)
    if principal is not None and not principal.can_write_layer(layer):
        raise ImportForbidden(f"Người tải lên không còn quyền ghi vào lớp {layer.slug}.")
    if run.trigger in PULL_TRIGGERS and not pull_fetch(run=run, connector=connector,
                                                       reporter=reporter):
        return  # HTTP 304: recorded as an unchanged run
    reporter.start(RunPhase.READING, 0)
    table = source_read(conf.import_dir() / run.stored_path, run.driver,
                        encoding=connector.encoding, records_path=connector.records_path)
    file_type_check(table.geometry_type, layer)
    if table.count == 0:
        raise NoValidRows("Tệp không có dòng dữ liệu nào.", details=[])
    staged, rejected = _validate(table, connector, layer, reporter)
    if not staged:
        raise NoValidRows(_all_rejected(rejected), details=rejected)
    _write(run, layer, principal, table, staged, rejected, reporter)


def _validate(table: SourceTable, connector: Connector, layer: Layer,
              reporter: ProgressReporter) -> tuple[list[tuple], list[tuple]]:
    """Rows to stage and rows rejected (row number, external id, reason, raw values)."""
    reporter.start(RunPhase.VALIDATING, table.count)
    reasons: Reasons = defaultdict(list)
    ids = external_ids(table, connector)
    mapper = PropertyMapper(connector, layer, table)
    times = observed_times(table, connector, reasons)
    geoms = positions(table, connector, layer, reasons)
    ewkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
    texts, property_errors = mapper.rows_encoded(table.count)
    staged, rejected, first_row = [], [], {}
    temporal = layer.is_temporal
    for index in range(table.count):
        external_id, errors = ids[index], []
        if not external_id:
            errors.append(f"thiếu mã ngoài (cột “{connector.id_column}”)")
        elif len(external_id) > 200:
            errors.append("mã ngoài dài quá 200 ký tự")
        elif external_id in first_row:
            errors.append(f"mã ngoài “{external_id}” trùng dòng {first_row[external_id]}")
        else:
            first_row[external_id] = index + 1
        found = reasons.get(index, ())
        untimed = temporal and times[index] is None and not found
        if errors or found or property_errors[index] or untimed:
            errors += [*found, *property_errors[index]]
            if untimed:
                errors.append("lớp theo thời gian cần thời điểm")
            rejected.append((index + 1, external_id or "", "; ".join(errors), _raw(table, index)))
        else:
            staged.append((index + 1, external_id, ewkb[index], texts[index],
                           times[index].isoformat() if times[index] else ""))
        reporter.advance(index + 1)
    return staged, rejected


def _all_rejected(rejected: list[tuple]) -> str:
    reasons: dict[str, int] = {}
    for _, _, reason, _ in rejected:
        first = reason.split("; ")[0]
        key = "ngoài tỉnh Thanh Hóa" if "ngoài tỉnh" in first else first
        reasons[key] = reasons.get(key, 0) + 1
    common, count = max(reasons.items(), key=lambda item: item[1])
    return (f"Tất cả {len(rejected):,} dòng bị loại; không ghi gì. Lý do thường gặp nhất "
            f"({count:,} dòng): {common}. Xem báo cáo kiểm tra.")


@contextlib.contextmanager
def _tile_mode(layer: Layer, changed: int):
    """Many changes: skip per-statement tile work and rebuild once; few: the usual triggers."""
    if changed >= conf.get("IOC_IMPORT_BULK_THRESHOLD"):
        # The savepoint rolls a failed write back before bulk_writes' exit runs SQL, so the
        # original error (not "transaction is aborted") reaches the run's message.
        with bulk_writes([layer]), transaction.atomic():
            yield
    else:
        yield
        if changed:
            features_changed.send(sender=Layer, layer=layer)


def _write(run: ImportRun, layer: Layer, principal: Principal | None, table: SourceTable,
           staged: list[tuple], rejected: list[tuple], reporter: ProgressReporter) -> None:
    """The one transaction: stage, jurisdiction, unchanged, upsert, report, run row."""
    with transaction.atomic():
        writer.layer_lock(layer.pk)
        writer.stage(staged)
        bound = principal is not None and not principal.province_wide
        if bound:  # the ground is decided by the codes of every staged row
            writer.stamp()
            id_of = {row[0]: row[1] for row in staged}
            for number in writer.outside_ground_drop(layer_id=layer.pk,
                                                     cur_codes=principal.cur_codes,
                                                     pre_codes=principal.pre_codes):
                rejected.append((number, id_of[number], "nằm ngoài phạm vi quản lý của người "
                                 "tải lên", _raw(table, number - 1)))
            if len(rejected) == table.count:
                raise NoValidRows(_all_rejected(rejected), details=rejected)
        unchanged = writer.unchanged_drop(layer_id=layer.pk)
        if not bound:  # only the rows to write need codes (a re-import stamps nothing)
            writer.stamp()
        reporter.start(RunPhase.WRITING, table.count)
        with _tile_mode(layer, writer.staged_count()):
            inserted, updated = writer.upsert(
                layer_id=layer.pk, last_row=table.count,
                chunk=conf.get("IOC_IMPORT_WRITE_CHUNK"), progress=reporter.advance)
        _rejections_save(run, rejected)
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED, phase=RunPhase.DONE, progress_done=table.count,
            progress_total=table.count, rows_read=table.count, rows_inserted=inserted,
            rows_updated=updated, rows_unchanged=unchanged, rows_rejected=len(rejected),
            message=_summary(table.count, inserted, updated, unchanged, len(rejected)),
            finished_at=timezone.now())


def _summary(read: int, inserted: int, updated: int, unchanged: int, rejected: int) -> str:
    return (f"Đọc {read:,} dòng: thêm {inserted:,}, cập nhật {updated:,}, không đổi "
            f"{unchanged:,}, loại {rejected:,}.")


def _rejections_save(run: ImportRun, rejected: list[tuple]) -> None:
    RejectedRow.objects.bulk_create(
        (RejectedRow(run_id=run.pk, row_number=number, external_id=external_id[:200],
                     reason=reason, raw=raw)
         for number, external_id, reason, raw in sorted(rejected, key=lambda r: r[0])),
        batch_size=5000)


def _fail(run: ImportRun, message: str, rejected: list[tuple] | None = None) -> None:
    """Mark a run failed (no feature written); keep the report when every row was rejected."""
    with transaction.atomic():
        RejectedRow.objects.filter(run_id=run.pk).delete()
        if rejected:
            _rejections_save(run, rejected)
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, phase=RunPhase.DONE, message=message[:4000],
            rows_read=len(rejected or []), rows_rejected=len(rejected or []),
            rows_inserted=0, rows_updated=0, rows_unchanged=0,
            progress_done=F("progress_total"), finished_at=timezone.now())
