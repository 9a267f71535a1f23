"""Import of KPI values from a CSV or XLSX table — all or nothing.

Columns (header row; names ignore case, Vietnamese aliases in brackets):
    kpi (ma_chi_so)      KPI code, e.g. tourist-arrivals
    unit (ma_don_vi)     GSO code of the unit, e.g. 38 (province), 382, 15460
    period (ky)          2025 | 2025-Q3 | 2025-07 | 2025-07-14 — the KPI's periodicity (a date
                         is accepted when it is the first day of the KPI's period)
    value (gia_tri)      a number ("12.5"; "12,5" with a decimal comma)
    note (ghi_chu)       optional, up to 300 characters
    generation (the_he)  optional: current | pre2025 — which generation the unit code names.
                         Default: the generation that has the code; for codes of both (the
                         reform reused some, e.g. 14758), pre2025 for periods starting before
                         2025-07-01 and current from then on
Row numbers are the file's line numbers (the header is row 1). One bad row and nothing is
written: the error lists every bad row with its reasons. Upsert by (kpi, unit, period), so a
second import of the same file changes nothing."""
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from access.principal import Principal
from ioc_gis.errors import InvalidInputError
from integration.reader import SourceTable, source_read
from integration.uploads import zip_inspect
from layers.conf import REFORM_2025_EFFECTIVE

from . import conf, periods
from .errors import ImportFileInvalid, ImportForbidden, ImportRejected
from .models import Grain, Kpi, KpiRun, ProvenanceKind, Source
from .selectors import ground_of, kpi_readable
from .services import Counts, ValueRow, run_finish, run_start, values_upsert
from .units import CURRENT, GENERATIONS, PRE_REFORM, Reform, reform

COLUMNS = {"kpi": ("kpi", "ma_chi_so"), "unit": ("unit", "ma_don_vi"),
           "period": ("period", "ky"), "value": ("value", "gia_tri"),
           "note": ("note", "ghi_chu"), "generation": ("generation", "the_he")}
REQUIRED = ("kpi", "unit", "period", "value")
LEVELS_BY_GRAIN = {Grain.PROVINCE: {"PROVINCE"}, Grain.DISTRICT: {"PROVINCE", "DISTRICT"},
                   Grain.COMMUNE: {"PROVINCE", "DISTRICT", "COMMUNE"}}
IMPORTABLE = (Source.IMPORTED, Source.CONNECTOR)
MAX_REPORTED = 1_000


@dataclass(frozen=True)
class ImportReport:
    run: KpiRun
    rows: int
    counts: Counts


def kpi_import_allowed(principal: Principal) -> bool:
    """Writing KPI values: whoever may write features (data stewards: sector operators,
    integration clients, administrators); tokens need the `kpi:write` scope."""
    return (principal.has("layers.add_feature") and principal.has("layers.change_feature")
            and principal.has_scope("kpi:write"))


def read_table(path: Path) -> SourceTable:
    """The table of a CSV or XLSX file, the format sniffed from its bytes (an XLSX archive is
    inspected before GDAL opens it: no zip bombs, no odd members)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    try:
        if head.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(path) as archive:
                names = {info.filename.lower() for info in zip_inspect(archive)}
            if "xl/workbook.xml" not in names:
                raise ImportFileInvalid("Tệp nén không phải bảng tính XLSX.")
            return source_read(path, "XLSX")
        if b"\x00" in head:
            raise ImportFileInvalid("Tệp không phải CSV hoặc XLSX.")
        return source_read(path, "CSV")
    except ImportFileInvalid:
        raise
    except InvalidInputError as exc:  # the integration reader's and zip checks' named errors
        raise ImportFileInvalid(exc.message, details={"reason": exc.code}) from exc
    except zipfile.BadZipFile as exc:
        raise ImportFileInvalid(f"Tệp XLSX hỏng: {exc}") from exc


def _columns(table: SourceTable) -> dict[str, list]:
    found, missing = {}, []
    for key, names in COLUMNS.items():
        column = next((c for c in (table.column(n) for n in names) if c is not None), None)
        if column is not None:
            found[key] = column
        elif key in REQUIRED:
            missing.append(f"{names[0]} ({names[1]})")
    if missing:
        raise ImportFileInvalid(f"Thiếu cột: {', '.join(missing)}.", details={"missing": missing})
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(text: str) -> float:
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


class _Checker:
    """Validates rows one by one against the catalogue, the units and the caller's reach."""

    def __init__(self, principal: Principal, units: Reform) -> None:
        self.principal, self.units = principal, units
        self.kpis = {k.code: k for k in Kpi.objects.filter(is_active=True)}
        self.ground = ground_of(principal, units)
        self.seen: dict[tuple[int, int, object], int] = {}

    def kpi(self, code: str, errors: list[str]) -> Kpi | None:
        kpi = self.kpis.get(code)
        if kpi is None or not kpi_readable(self.principal, kpi):
            errors.append(f"không có chỉ số “{code[:63]}”")
            return None
        if self.principal.sectors is not None and kpi.sector not in self.principal.sectors:
            errors.append(f"chỉ số “{code}” thuộc lĩnh vực ngoài phạm vi của bạn")
            return None
        if kpi.source not in IMPORTABLE:
            errors.append(f"chỉ số “{code}” được tính từ dữ liệu hệ thống (kpi_refresh), "
                          "không nhập")
            return None
        return kpi

    def period(self, text: str, kpi: Kpi, errors: list[str]) -> periods.Period | None:
        try:
            period = periods.parse(text)
        except periods.PeriodError as exc:
            errors.append(str(exc).rstrip("."))
            return None
        if period.periodicity == kpi.periodicity or (
                period.periodicity == periods.DAY and periods.is_aligned(period.start,
                                                                         kpi.periodicity)):
            return periods.Period(period.start, kpi.periodicity)
        example = periods.containing(period.start, kpi.periodicity).label
        errors.append(f"kỳ “{text}” không khớp chu kỳ {kpi.get_periodicity_display().lower()} "
                      f"của chỉ số (ví dụ: {example})")
        return None

    def unit(self, code: str, generation: str, period: periods.Period, kpi: Kpi,
             errors: list[str]):
        if generation and generation not in GENERATIONS:
            errors.append(f"thế hệ “{generation[:20]}” phải là current hoặc pre2025")
            return None
        if not generation:  # a code of one generation only is that one's; reused ones by date
            by_date = CURRENT if period.start >= REFORM_2025_EFFECTIVE else PRE_REFORM
            other = PRE_REFORM if by_date == CURRENT else CURRENT
            in_other = (other, code) in self.units.by_key
            generation = other if in_other and (by_date, code) not in self.units.by_key \
                else by_date
        unit_id = self.units.by_key.get((generation, code))
        if unit_id is None:
            errors.append(f"không có đơn vị mã “{code[:10]}” ({generation})")
            return None
        unit = self.units.units[unit_id]
        if unit.level not in LEVELS_BY_GRAIN[kpi.grain]:
            errors.append(f"chỉ số “{kpi.code}” không ghi ở cấp {unit.level.lower()} "
                          f"(cấp chi tiết: {kpi.get_grain_display()})")
            return None
        if not kpi.is_public and self.ground is not None and unit_id not in self.ground:
            errors.append(f"đơn vị {code} nằm ngoài phạm vi quản lý của bạn")
            return None
        return unit

    def row(self, number: int, cells: dict[str, str]) -> tuple[ValueRow | None, list[str]]:
        errors: list[str] = []
        kpi = self.kpi(cells["kpi"], errors)
        value = None
        try:
            value = _number(cells["value"])
        except ValueError:
            errors.append(f"giá trị “{cells['value'][:40]}” không phải số")
        if len(cells.get("note", "")) > 300:
            errors.append("ghi chú dài quá 300 ký tự")
        if kpi is None:
            return None, errors
        period = self.period(cells["period"], kpi, errors)
        unit = period and self.unit(cells["unit"], cells.get("generation", "").lower(), period,
                                    kpi, errors)
        if unit and period:
            key = (kpi.id, unit.id, period.start)
            if key in self.seen:
                errors.append(f"trùng chỉ số, đơn vị và kỳ với dòng {self.seen[key]}")
            self.seen.setdefault(key, number)
        if errors:
            return None, errors
        return ValueRow(kpi.id, unit.id, kpi.periodicity, period.start, value,
                        cells.get("note", "")), []


def _validate(table: SourceTable, principal: Principal) -> tuple[list[ValueRow], list[dict]]:
    columns = _columns(table)
    checker = _Checker(principal, reform())
    rows, rejected = [], []
    for index in range(table.count):
        cells = {key: _text(column[index]) for key, column in columns.items()}
        if not any(cells.values()):
            continue  # a blank line
        number = index + 2
        missing = [key for key in REQUIRED if not cells[key]]
        if missing:
            rejected.append({"row": number, "errors": [f"thiếu {', '.join(missing)}"]})
            continue
        row, errors = checker.row(number, cells)
        if errors:
            rejected.append({"row": number, "errors": errors})
        else:
            rows.append(row)
    return rows, rejected


def kpi_values_import(*, principal: Principal, path: Path, file_name: str, user=None,
                      kind: str = ProvenanceKind.IMPORT, feed=None) -> ImportReport:
    """Import a CSV/XLSX file of values: every row valid, then one transaction; otherwise
    ImportRejected (400) with the bad rows, and nothing is written. A feed's pull passes
    kind=CONNECTOR and itself (kpi/feeds.py)."""
    if not kpi_import_allowed(principal):
        raise ImportForbidden("Tài khoản không có quyền nhập số liệu KPI.")
    table = read_table(path)
    if table.count > conf.get("IOC_KPI_IMPORT_MAX_ROWS"):
        raise ImportFileInvalid(f"Tệp có {table.count:,} dòng, vượt giới hạn "
                                f"{conf.get('IOC_KPI_IMPORT_MAX_ROWS'):,} dòng.")
    rows, rejected = _validate(table, principal)
    if rejected:
        raise ImportRejected(
            f"{len(rejected):,} dòng không hợp lệ; không ghi dòng nào.",
            details={"rejected": len(rejected), "rows": rejected[:MAX_REPORTED]})
    if not rows:
        raise ImportFileInvalid("Tệp không có dòng số liệu nào.")
    with transaction.atomic():
        run = run_start(kind=kind, user=user, file_name=file_name, feed=feed)
        counts = values_upsert(rows=rows, run=run, source=kind)
        run_finish(run, counts, read=len(rows))
    return ImportReport(run, len(rows), counts)
