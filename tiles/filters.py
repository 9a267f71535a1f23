"""Query-string filters of a tile request, checked against what the source offers.

Only allow-listed names are read; codes must be in the layer's code list, so a filter value is
always a known string passed as an SQL parameter. The canonical form keys the cache."""
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_date, parse_datetime

from .errors import InvalidTileFilter
from .sources import TileSource

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
CACHE_BUSTERS = ("v",)  # clients may append the TileJSON version; it does not select data


@dataclass(frozen=True)
class TileFilters:
    since: datetime | None = None
    until: datetime | None = None
    category: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    day: date | None = None  # units: the generation in force on this day

    @property
    def is_empty(self) -> bool:
        return self == NO_FILTERS

    def canonical(self) -> str:
        """Stable text of the filters (cache variant); '' when there are none."""
        parts = []
        if self.since:
            parts.append(f"since={self.since.isoformat()}")
        if self.until:
            parts.append(f"until={self.until.isoformat()}")
        if self.category:
            parts.append("category=" + ",".join(self.category))
        if self.status:
            parts.append("status=" + ",".join(self.status))
        if self.day:
            parts.append(f"date={self.day.isoformat()}")
        return "&".join(parts)


NO_FILTERS = TileFilters()


def _parsed(parse, text: str):
    """A django.utils.dateparse result, None for text that is not a real date (2025-13-40)."""
    try:
        return parse(text)
    except ValueError:
        return None


def _instant(name: str, text: str) -> datetime:
    """ISO date (local midnight) or date-time; naive times are Vietnam time."""
    moment = _parsed(parse_datetime, text)
    if moment is None:
        day = _parsed(parse_date, text) if len(text) == 10 else None
        if day is None:
            raise InvalidTileFilter(f"'{name}' phải là ngày hoặc thời điểm ISO 8601.",
                                    details={name: text[:64]})
        moment = datetime.combine(day, time.min)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.astimezone(LOCAL)


def _codes(name: str, text: str, allowed: list[str]) -> tuple[str, ...]:
    codes = tuple(sorted({c.strip() for c in text.split(",") if c.strip()}))
    unknown = [c for c in codes if c not in allowed]
    if not codes or unknown:
        raise InvalidTileFilter(f"Giá trị '{name}' không có trong danh mục.",
                                details={name: unknown[:10] or text[:64], "allowed": allowed})
    return codes


def allowed_filters(source: TileSource) -> tuple[str, ...]:
    """Names of the filters a source accepts."""
    if source.kind == "units":
        return ("date",)
    names = []
    if source.is_temporal:
        names += ["since", "until"]
    if source.layer is not None and source.layer.category_property:
        names.append("category")
    if source.layer is not None and source.layer.status_property:
        names.append("status")
    return tuple(names)


def filters_parse(source: TileSource, query) -> TileFilters:
    """TileFilters from a QueryDict; an unknown name or a bad value is InvalidTileFilter (400)."""
    allowed = allowed_filters(source)
    unknown = sorted(k for k in query.keys() if k not in allowed and k not in CACHE_BUSTERS)
    if unknown:
        raise InvalidTileFilter("Bộ lọc không được hỗ trợ cho lớp này.",
                                details={"unknown": unknown[:10], "allowed": list(allowed)})
    values = {k: query.get(k, "").strip() for k in allowed if query.get(k, "").strip()}
    layer = source.layer
    since = _instant("since", values["since"]) if "since" in values else None
    until = _instant("until", values["until"]) if "until" in values else None
    if since and until and since >= until:
        raise InvalidTileFilter("'since' phải trước 'until'.")
    day = None
    if "date" in values:
        day = _parsed(parse_date, values["date"]) if len(values["date"]) == 10 else None
        if day is None:
            raise InvalidTileFilter("'date' phải có dạng YYYY-MM-DD.",
                                    details={"date": values["date"][:64]})
    return TileFilters(
        since=since, until=until, day=day,
        category=(_codes("category", values["category"], layer.enum_codes(layer.category_property))
                  if "category" in values else ()),
        status=(_codes("status", values["status"], layer.enum_codes(layer.status_property))
                if "status" in values else ()),
    )
