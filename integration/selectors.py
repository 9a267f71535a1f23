"""Reads of the integration app. A connector (and its runs) exists for a principal who may see
its layer with feature rights in its sector; outside that it is a 404 (ADR 0005)."""
import csv
import io
import json
from collections.abc import Iterator

from access.principal import Principal
from layers.models import Layer

from .errors import ConnectorNotFound, ImportForbidden, RunNotFound
from .models import Connector, ImportRun, RejectedRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _may_see(principal: Principal, layer: Layer) -> bool:
    return (principal.has("layers.view_feature") and principal.in_sector(layer)
            and principal.can_see_layer(layer))


def connector_get_visible(*, principal: Principal, pk: int) -> Connector:
    """A connector the principal may see (404 otherwise)."""
    connector = Connector.objects.select_related("layer").filter(pk=pk).first()
    if connector is None or not _may_see(principal, connector.layer):
        raise ConnectorNotFound(f"Không có kết nối dữ liệu #{pk}.")
    return connector


def run_get_visible(*, principal: Principal, pk: int) -> ImportRun:
    """An import run the principal may see (404 otherwise)."""
    run = ImportRun.objects.select_related("connector__layer").filter(pk=pk).first()
    if run is None or not _may_see(principal, run.connector.layer):
        raise RunNotFound(f"Không có lượt nhập #{pk}.")
    return run


def run_report_check(*, principal: Principal, run: ImportRun) -> None:
    """The report holds source values: only those who may write the layer read it (403)."""
    if not principal.can_write_layer(run.connector.layer):
        raise ImportForbidden("Không có quyền xem báo cáo của lớp này.")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def run_report_csv(*, run: ImportRun) -> Iterator[str]:
    """The validation report as CSV chunks (UTF-8 BOM first): the header
    `dong,ma_ngoai,ly_do,gia_tri_goc`, then every rejected row by row number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(["dong", "ma_ngoai", "ly_do", "gia_tri_goc"])
    yield "\ufeff" + flush()
    rows = RejectedRow.objects.filter(run=run).order_by("row_number").values_list(
        "row_number", "external_id", "reason", "raw")
    for number, external_id, reason, raw in rows.iterator(chunk_size=2000):
        writer.writerow([number, _cell(external_id), _cell(reason),
                         _cell(json.dumps(raw, ensure_ascii=False))])
        if out.tell() > 65536:
            yield flush()
    yield flush()
