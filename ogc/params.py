"""Query parameters of the OGC API, parsed strictly: anything the API cannot use is a 400
(InvalidParameter / UnknownParameter), never a 500 and never silently ignored.

- `bbox`: 4 or 6 finite numbers, CRS84 (lon/lat, optional heights ignored); west > east
  crosses the antimeridian (two boxes); south > north, or outside ±180/±90, is refused.
- `datetime`: an instant or a closed/half-open interval (`..` or empty for an open end) of
  RFC 3339 date-times (`Z` or an offset; none means Vietnam time; a `+` sent unencoded arrives
  as a space and is read as `+`) or dates (a whole local day).
- `limit`: a positive integer, default 10, clamped at `conf.max_limit()`.
- `cursor`: the opaque page token of a `next`/`prev` link.
- `f`: `json` (and `geojson` for features); there is no HTML representation."""
import base64
import binascii
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from . import conf
from .errors import InvalidParameter, UnknownParameter

DOCUMENT_PARAMS = frozenset({"f"})
ITEM_PARAMS = frozenset({"f"})
ITEMS_PARAMS = frozenset({"f", "bbox", "datetime", "limit", "cursor"})
JSON_FORMATS = frozenset({"json"})
FEATURE_FORMATS = frozenset({"json", "geojson"})

NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[-+ ]\d{2}:\d{2})?")
MAX_CURSOR_LENGTH = 400


@dataclass(frozen=True)
class TimeWindow:
    """Observation times from `start` (inclusive) to `end` (inclusive, or exclusive when
    `end_exclusive`); None is unbounded."""

    start: datetime | None = None
    end: datetime | None = None
    end_exclusive: bool = False


@dataclass(frozen=True)
class Cursor:
    """A page boundary: the features after (`forward`) or before a feature id."""

    forward: bool
    feature_id: str

    def token(self) -> str:
        """The opaque text of the cursor for a link."""
        raw = ("n" if self.forward else "p") + self.feature_id
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class ItemsQuery:
    """What a features request asks for. `boxes` are (west, south, east, north) in CRS84."""

    boxes: tuple[tuple[float, float, float, float], ...] | None = None
    window: TimeWindow | None = None
    limit: int = conf.DEFAULT_LIMIT
    cursor: Cursor | None = None


def check_known(query_params, allowed: frozenset, formats: frozenset = JSON_FORMATS) -> None:
    """Refuse parameters the resource does not define, repeated ones, and an unknown `f`."""
    unknown = sorted(set(query_params) - allowed)
    if unknown:
        raise UnknownParameter(f"Tham số không được hỗ trợ / unknown query parameter: "
                               f"{', '.join(name[:50] for name in unknown[:5])}")
    for name in query_params:
        if len(query_params.getlist(name)) > 1:
            raise InvalidParameter(f"Tham số '{name}' chỉ được có một lần / given twice.")
    fmt = query_params.get("f")
    if fmt is not None and fmt not in formats:
        raise InvalidParameter(f"f: chỉ hỗ trợ {', '.join(sorted(formats))} "
                               f"(no HTML representation).")


def items_query(query_params) -> ItemsQuery:
    """The parsed query of a features (`/items`) request."""
    check_known(query_params, ITEMS_PARAMS, FEATURE_FORMATS)
    bbox, when = query_params.get("bbox"), query_params.get("datetime")
    limit, cursor = query_params.get("limit"), query_params.get("cursor")
    return ItemsQuery(boxes=None if bbox is None else parse_bbox(bbox),
                      window=None if when is None else parse_datetime(when),
                      limit=conf.DEFAULT_LIMIT if limit is None else parse_limit(limit),
                      cursor=None if cursor is None else parse_cursor(cursor))


def parse_bbox(text: str) -> tuple[tuple[float, float, float, float], ...]:
    """CRS84 boxes from `bbox`: one, or two when it crosses the antimeridian."""
    parts = text.split(",")
    if len(parts) not in (4, 6) or not all(NUMBER.fullmatch(p.strip()) for p in parts):
        raise InvalidParameter("bbox: cần 4 (hoặc 6) số / four or six numbers: "
                               "minLon,minLat,maxLon,maxLat")
    numbers = [float(p) for p in parts]
    if not all(math.isfinite(n) for n in numbers):
        raise InvalidParameter("bbox: số phải hữu hạn / numbers must be finite")
    if len(numbers) == 6:
        west, south, low, east, north, high = numbers
        if low > high:
            raise InvalidParameter("bbox: chiều cao nhỏ nhất lớn hơn lớn nhất / minZ > maxZ")
    else:
        west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90
            and -90 <= north <= 90):
        raise InvalidParameter("bbox: ngoài phạm vi kinh độ ±180, vĩ độ ±90 / out of range")
    if south > north:
        raise InvalidParameter("bbox: vĩ độ nam lớn hơn vĩ độ bắc / minLat > maxLat")
    if west > east:  # the box crosses the antimeridian (OGC API – Features 1.0, 7.15.3)
        return ((west, south, 180.0, north), (-180.0, south, east, north))
    return ((west, south, east, north),)


def parse_limit(text: str) -> int:
    """A page size: a positive integer, clamped at the maximum."""
    if not re.fullmatch(r"\d{1,30}", text):
        raise InvalidParameter("limit: cần số nguyên dương / a positive integer")
    value = int(text)
    if value < 1:
        raise InvalidParameter("limit: tối thiểu 1 / at least 1")
    return min(value, conf.max_limit())


def parse_cursor(text: str) -> Cursor:
    """The cursor of a `next`/`prev` link (anything else is a 400)."""
    try:
        if len(text) > MAX_CURSOR_LENGTH:
            raise ValueError
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidParameter("cursor: không hợp lệ / not a cursor of this API") from None
    if len(raw) < 2 or raw[0] not in "np" or "\x00" in raw:
        raise InvalidParameter("cursor: không hợp lệ / not a cursor of this API")
    return Cursor(forward=raw[0] == "n", feature_id=raw[1:])


def parse_datetime(text: str) -> TimeWindow | None:
    """A time window from `datetime` (None for `../..`: no restriction)."""
    parts = text.split("/")
    if len(parts) > 2:
        raise InvalidParameter("datetime: một thời điểm hoặc một khoảng a/b / instant or a/b")
    if len(parts) == 1:
        if parts[0] in ("", ".."):
            raise InvalidParameter("datetime: thiếu thời điểm / empty")
        start, day_end = _moment(parts[0])
        return TimeWindow(start, day_end or start, end_exclusive=day_end is not None)
    start = None if parts[0] in ("", "..") else _moment(parts[0])[0]
    end, end_exclusive = None, False
    if parts[1] not in ("", ".."):
        moment, day_end = _moment(parts[1])
        end, end_exclusive = (day_end, True) if day_end is not None else (moment, False)
    if start is None and end is None:
        return None
    if start is not None and end is not None and (start >= end if end_exclusive else start > end):
        raise InvalidParameter("datetime: bắt đầu sau kết thúc / start after end")
    return TimeWindow(start, end, end_exclusive)


def _moment(text: str) -> tuple[datetime, datetime | None]:
    """(instant, None) for a date-time; (start of day, start of next day) for a date, in
    Vietnam time. Raises InvalidParameter for anything else."""
    zone = timezone.get_default_timezone()
    try:
        if DATE.fullmatch(text):
            day = date.fromisoformat(text)
            start = datetime.combine(day, time.min, tzinfo=zone)
            try:
                following = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
            except OverflowError:  # 9999-12-31: the day runs to the end of time
                following = datetime.max.replace(tzinfo=zone)
            return start, following
        match = DATE_TIME.fullmatch(text)
        if match is None:
            raise ValueError
        base, fraction, offset = match.groups()
        moment = datetime.fromisoformat(
            base.replace("t", "T").replace(" ", "T") + (fraction or "")[:7]
            + ("+00:00" if offset in ("Z", "z") else (offset or "").replace(" ", "+")))
        return (moment if moment.tzinfo else moment.replace(tzinfo=zone)), None
    except (ValueError, OverflowError):
        raise InvalidParameter(
            "datetime: cần ngày giờ RFC 3339 (vd. 2025-01-01T00:00:00Z), ngày (2025-01-01) "
            "hoặc khoảng a/b với '..' cho đầu mở / RFC 3339 date-time, date or interval"
        ) from None
