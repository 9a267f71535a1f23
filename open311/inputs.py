"""Open311 parameters in, typed inputs out. Every parameter is checked here (length, NUL
characters, finite numbers, dates, allow-listed values), so nothing malformed reaches a query:
a bad value is a 400 naming the parameter, never a 500."""
import math
import re
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from . import conf
from .errors import InvalidParameter
from .selectors import RequestQuery
from .services import ServiceRequestInput
from .statuses import OUR_STATUSES

PUBLIC_ID = re.compile(r"^PA-[0-9A-Z]{8}$")
MAX_IDS = 200
# Same rule as the incidents API's reporter_phone, capped at the column's 20 characters.
PHONE = r"^\+?[0-9 .-]{8,19}$"
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


def _finite(value: float) -> None:
    if not math.isfinite(value):
        raise serializers.ValidationError("Phải là một số hữu hạn. / Must be a finite number.")


def _coordinate(low: float, high: float) -> serializers.FloatField:
    """A latitude or longitude: NaN would slip past min/max (every comparison is false)."""
    return serializers.FloatField(min_value=low, max_value=high, validators=[_finite],
                                  required=False)


def _text(max_length: int) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True,
                                 default="")


class RequestCreateInput(serializers.Serializer):
    """POST requests: the spec's parameters (attribute[…] and media_url are ignored: no
    service has attributes, and we never fetch a URL a client hands us)."""

    service_code = serializers.SlugField(max_length=40)
    lat = _coordinate(-90, 90)
    long = _coordinate(-180, 180)
    address_string = _text(300)
    address_id = serializers.RegexField(r"^[0-9]{1,5}$", required=False, allow_blank=True,
                                        default="")
    description = _text(4000)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.RegexField(PHONE, max_length=20, required=False, allow_blank=True,
                                   default="")
    first_name = _text(50)
    last_name = _text(50)
    device_id = _text(100)
    account_id = _text(100)

    def validate(self, data: dict) -> dict:
        """lat and long go together; some location is required."""
        if (data.get("lat") is None) != (data.get("long") is None):
            raise serializers.ValidationError(
                "Cần cả lat và long. / Send both lat and long.")
        if data.get("lat") is None and not (data["address_string"] or data["address_id"]):
            raise serializers.ValidationError(
                "Cần vị trí: lat/long hoặc address_string. / A location is required: lat/long "
                "or address_string.")
        return data

    def to_input(self) -> ServiceRequestInput:
        """The validated request, in our terms (reporter name family-name first, as in
        Vietnamese)."""
        data = self.validated_data
        name = f"{data['last_name']} {data['first_name']}".strip()
        return ServiceRequestInput(
            service_code=data["service_code"], lon=data.get("long"), lat=data.get("lat"),
            address_string=data["address_string"], address_id=data["address_id"],
            description=data["description"], reporter_name=name, reporter_email=data["email"],
            reporter_phone=data["phone"], device_id=data["device_id"],
            account_id=data["account_id"])


def request_create_input(params: dict) -> ServiceRequestInput:
    """The validated POST parameters (DRF ValidationError → 400 in the spec's format)."""
    data = RequestCreateInput(data=params)
    data.is_valid(raise_exception=True)
    return data.to_input()


class RequestsQueryInput(serializers.Serializer):
    """GET requests filters. Unknown parameters are ignored, as the spec allows extensions."""

    service_request_id = serializers.CharField(max_length=MAX_IDS * 13, required=False,
                                               allow_blank=True)
    service_code = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    start_date = serializers.CharField(max_length=40, required=False, allow_blank=True)
    end_date = serializers.CharField(max_length=40, required=False, allow_blank=True)
    status = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def validate_service_request_id(self, text: str) -> list[str]:
        ids = _items(text, upper=True)
        bad = [i for i in ids if not PUBLIC_ID.match(i)]
        if bad or len(ids) > MAX_IDS:
            raise serializers.ValidationError(
                f"Mã yêu cầu có dạng PA-XXXXXXXX, tối đa {MAX_IDS} mã. / Ids look like "
                f"PA-XXXXXXXX, at most {MAX_IDS}.")
        return ids

    def validate_service_code(self, text: str) -> list[str]:
        codes = _items(text)
        if any(not re.match(r"^[-a-z0-9_]{1,40}$", code) for code in codes):
            raise serializers.ValidationError("service_code không hợp lệ. / Invalid service_code.")
        return codes

    def validate_status(self, text: str) -> list[str]:
        statuses = _items(text.lower())
        if any(status not in OUR_STATUSES for status in statuses):
            raise serializers.ValidationError("Chỉ nhận open, closed. / Use open or closed.")
        return statuses

    def validate_start_date(self, text: str) -> datetime | None:
        return _moment(text) if text.strip() else None

    def validate_end_date(self, text: str) -> datetime | None:
        return _moment(text) if text.strip() else None


def _items(text: str, upper: bool = False) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    return [item.upper() for item in items] if upper else items


def _moment(text: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is Vietnam time."""
    try:
        value = parse_datetime(text.strip())
    except ValueError:
        value = None
    if value is None or not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise serializers.ValidationError(
            "Ngày giờ theo ISO 8601, vd. 2026-01-31T08:00:00+07:00. / An ISO 8601 date-time, "
            "e.g. 2026-01-31T08:00:00+07:00.")
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def requests_query(params) -> RequestQuery:
    """The validated GET requests query with its date window: at most IOC_OPEN311_MAX_SPAN_DAYS
    (90) days; one bound given → that many days from it; none → the last 90 days."""
    data = RequestsQueryInput(data={k: params.get(k) for k in RequestsQueryInput().fields
                                    if params.get(k) is not None})
    data.is_valid(raise_exception=True)
    values = data.validated_data
    since, until = values.get("start_date"), values.get("end_date")
    span = timedelta(days=conf.max_span_days())
    if since and until and not timedelta(0) <= until - since <= span:
        raise InvalidParameter("Khoảng ngày không hợp lệ.", details={"end_date": [
            f"end_date phải sau start_date, cách không quá {span.days} ngày. / end_date must "
            f"follow start_date by at most {span.days} days."]})
    if since and not until:
        until = since + span
    elif until and not since:
        since = until - span
    elif not since:
        until = timezone.now()
        since = until - span
    return RequestQuery(public_ids=values.get("service_request_id") or [],
                        service_codes=values.get("service_code") or [],
                        statuses=values.get("status") or [], since=since, until=until)
