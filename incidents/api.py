"""REST endpoints of the incident workflow. Thin: read input, one domain call, write output."""
import math
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.core.validators import URLValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from ioc_gis.api.pagination import LimitOffsetPagination
from ioc_gis.api.serializers import FlatFieldsMixin
from layers.errors import UnitNotFound
from layers.models import Sector
from layers.selectors import unit_get

from . import selectors, services
from .models import COMMENT_MAX_LENGTH, PUBLIC_CHANNELS, Channel, Incident, Severity
from .transitions import Status, next_states

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _finite(value: float) -> None:
    if not math.isfinite(value):
        raise serializers.ValidationError("Phải là một số hữu hạn.")


def Coordinate(low: float, high: float) -> serializers.FloatField:  # noqa: N802 (a field)
    """A longitude or latitude: finite (NaN would pass min/max checks) and in range."""
    return serializers.FloatField(min_value=low, max_value=high, validators=[_finite])


class CategoryOutput(serializers.Serializer):
    code = serializers.CharField()
    sector = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    agency = serializers.CharField()
    sla_hours = serializers.SerializerMethodField()

    def get_sla_hours(self, category) -> float:
        return category.sla.total_seconds() / 3600


class ReportCreateInput(FlatFieldsMixin, serializers.Serializer):
    category = serializers.SlugField(max_length=40)
    lon = Coordinate(-180, 180)
    lat = Coordinate(-90, 90)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    address = serializers.CharField(max_length=300, required=False, default="")
    severity = serializers.ChoiceField(Severity.choices, required=False, default=Severity.MEDIUM)
    channel = serializers.ChoiceField(Channel.choices, required=False,
                                      default=Channel.CITIZEN_WEB)
    origin = serializers.CharField(max_length=300, required=False, default="")
    # Staff channels: the event promoted into an incident (system, its id there, a link).
    origin_system = serializers.RegexField(r"^[a-z0-9][a-z0-9._:-]{0,59}$", required=False,
                                           default="")
    origin_ref = serializers.CharField(max_length=120, required=False, default="")
    origin_url = serializers.CharField(max_length=500, required=False, default="",
                                       validators=[URLValidator(schemes=["http", "https"])])
    reporter_name = serializers.CharField(max_length=120, required=False, default="")
    # Lengths are the columns' (a longer value must be a 400, not a database error).
    reporter_phone = serializers.RegexField(r"^\+?[0-9 .-]{8,19}$", max_length=20, required=False,
                                            default="")
    reporter_email = serializers.EmailField(max_length=254, required=False, default="")


class PublicIncidentOutput(FlatFieldsMixin, serializers.Serializer):
    """What anyone holding the tracking id may see: never the reporter, never internal notes."""

    id = serializers.CharField(source="public_id")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name_vi")
    status = serializers.CharField()
    status_name = serializers.CharField(source="get_status_display")
    title = serializers.CharField()
    description = serializers.CharField()
    address = serializers.CharField()
    lon = serializers.FloatField(source="location.x")
    lat = serializers.FloatField(source="location.y")
    commune_code = serializers.CharField()
    agency = serializers.CharField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField()
    duplicate_of = serializers.CharField(source="duplicate_of.public_id", default=None)
    rating = serializers.IntegerField()

    def to_representation(self, incident: Incident) -> dict:
        """The declared fields, built directly: every citizen's report is answered with this,
        and DRF's field-by-field walk cost as much as the rest of the answer. Subclasses take
        DRF's way. tests/incidents/test_intake.py checks both give the same dict."""
        if type(self) is not PublicIncidentOutput:
            return super().to_representation(incident)
        moment = _MOMENT.to_representation
        category, location = incident.category, incident.location
        duplicate = incident.duplicate_of if incident.duplicate_of_id else None
        return {
            "id": incident.public_id, "category": category.code,
            "category_name": category.name_vi, "status": incident.status,
            "status_name": incident.get_status_display(), "title": incident.title,
            "description": incident.description, "address": incident.address,
            "lon": float(location.x), "lat": float(location.y),
            "commune_code": incident.commune_code, "agency": incident.agency,
            "created_at": moment(incident.created_at), "due_at": moment(incident.due_at),
            "resolved_at": moment(incident.resolved_at) if incident.resolved_at else None,
            "duplicate_of": duplicate.public_id if duplicate else None,
            "rating": incident.rating,
        }


_MOMENT = serializers.DateTimeField()


class EventOutput(serializers.Serializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    is_public = serializers.BooleanField()
    at = serializers.DateTimeField()


class StaffEventOutput(EventOutput):
    """A step of the history as staff see it: also who made it (never shown to citizens)."""

    actor = serializers.SerializerMethodField()

    def get_actor(self, event) -> str | None:
        user = event.actor
        return (user.get_full_name() or user.get_username()) if user else None


class StaffIncidentOutput(PublicIncidentOutput):
    severity = serializers.CharField()
    channel = serializers.CharField()
    origin = serializers.CharField()
    origin_system = serializers.CharField()
    origin_ref = serializers.CharField()
    origin_url = serializers.CharField()
    assigned_unit_code = serializers.CharField()
    escalation_level = serializers.IntegerField()
    is_overdue = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    def get_is_overdue(self, incident: Incident) -> bool:
        from django.utils import timezone

        return incident.is_open and incident.due_at < timezone.now()

    def get_allowed_transitions(self, incident: Incident) -> list[str]:
        principal = self.context["principal"]
        from .transitions import required_permission

        return [to for to in next_states(incident.status)
                if principal.has(required_permission(incident.status, to))]

    def to_representation(self, incident: Incident) -> dict:
        data = super().to_representation(incident)
        principal = self.context["principal"]
        if self.context.get("with_contact") and principal.has("access.view_private_properties") \
                and principal.token_scopes is None:
            data["reporter"] = {"name": incident.reporter_name, "phone": incident.reporter_phone,
                                "email": incident.reporter_email}
        return data


class CategoryListApi(APIView):
    access_policy = "public-reference"
    token_scope = "layers:read"

    @extend_schema(responses=CategoryOutput(many=True))
    def get(self, request):
        return Response(CategoryOutput(selectors.category_list(), many=True).data)


class CodeListField(serializers.CharField):
    """A comma-separated list of codes, each one of `allowed()` (an unknown one is a 400)."""

    def __init__(self, allowed, **kwargs):
        self.allowed = allowed
        super().__init__(max_length=2000, required=False, **kwargs)

    def to_internal_value(self, data) -> list[str] | None:
        codes = sorted({c.strip() for c in super().to_internal_value(data).split(",")
                        if c.strip()})
        unknown = [c for c in codes if c not in self.allowed()]
        if unknown:
            raise serializers.ValidationError(f"Mã không có trong danh mục: {', '.join(unknown[:10])}.")
        return codes or None


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """An ISO 8601 date (local midnight) or date-time; naive times are Vietnam time — the rule
    of the tiles' `since`/`until`, so one filter selects the same incidents on both."""

    def to_internal_value(self, data) -> datetime:
        text = str(data).strip()
        try:
            moment = parse_datetime(text)
            if moment is None and len(text) == 10 and parse_date(text) is not None:
                moment = datetime.combine(parse_date(text), time.min)
        except ValueError:
            moment = None
        if moment is None:
            raise serializers.ValidationError("Phải là ngày hoặc thời điểm ISO 8601.")
        return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)

    def to_representation(self, value) -> str:
        return value.isoformat()


def _current_unit(code: str) -> str:
    try:
        unit_get(code=code, day=timezone.localdate())
    except UnitNotFound:
        raise serializers.ValidationError(f"Không có đơn vị hành chính mã {code}.") from None
    return code


class IncidentListQuery(serializers.Serializer):
    """Filters of the staff list (all optional, combined): codes, a unit in force today (its
    communes and assignees), creation time in [since, until), overdue, a text or tracking id."""

    status = CodeListField(lambda: Status.values)
    category = CodeListField(selectors.category_codes)
    sector = serializers.ChoiceField(Sector.choices, required=False)
    commune = serializers.RegexField(r"^[0-9]{2,5}$", required=False)
    unit = serializers.RegexField(r"^[0-9]{2,5}$", required=False, validators=[_current_unit])
    since = InstantField(required=False)
    until = InstantField(required=False)
    overdue = serializers.BooleanField(required=False)
    q = serializers.CharField(max_length=100, required=False)

    def validate(self, data: dict) -> dict:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise serializers.ValidationError({"until": ["'until' phải sau 'since'."]})
        if "q" in data:
            data["text"] = data.pop("q")
        return data


class IncidentListApi(APIView):
    access_policy = "scoped"
    token_scope = staticmethod(lambda request: "reports:submit" if request.method == "POST"
                               else "layers:read")

    @extend_schema(parameters=[IncidentListQuery], responses=StaffIncidentOutput(many=True))
    def get(self, request):
        given = {k: v for k, v in request.query_params.items() if v.strip()}
        query = IncidentListQuery(data=given)
        query.is_valid(raise_exception=True)
        principal = principal_of(request)
        incidents = selectors.incident_list_visible(principal=principal, **query.validated_data)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(incidents, request, view=self)
        return paginator.get_paginated_response(
            StaffIncidentOutput(page, many=True, context={"principal": principal}).data)

    @extend_schema(request=ReportCreateInput, responses={201: PublicIncidentOutput})
    def post(self, request):
        """A citizen's report, or staff opening an incident through a staff channel (hotline,
        field staff, sensor, press, partner IOC; `origin_*` names a promoted event). Staff get
        the staff view of what they opened."""
        data = ReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        principal = principal_of(request)
        incident = services.incident_submit(principal=principal,
                                            report=services.ReportInput(**data.validated_data))
        if incident.channel in PUBLIC_CHANNELS:
            return Response(PublicIncidentOutput(incident).data, status=201)
        return Response(StaffIncidentOutput(incident, context={"principal": principal}).data,
                        status=201)


class IncidentDetailApi(APIView):
    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(responses=StaffIncidentOutput)
    def get(self, request, public_id: str):
        principal = principal_of(request)
        incident = selectors.incident_get_visible(principal=principal, public_id=public_id)
        data = StaffIncidentOutput(incident, context={"principal": principal,
                                                      "with_contact": True}).data
        data["events"] = StaffEventOutput(selectors.incident_event_list(incident=incident),
                                          many=True).data
        data["sla_hours"] = incident.category.sla.total_seconds() / 3600
        data["photos"] = [_photo(incident, number, photo) for number, photo in
                          enumerate(selectors.incident_photo_list(incident=incident), start=1)]
        return Response(data)


def _photo(incident: Incident, number: int, photo) -> dict:
    url = reverse("report-photo", kwargs={"public_id": incident.public_id, "number": number})
    return {"number": number, "width": photo.width, "height": photo.height, "url": url}


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(Status.choices)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    public = serializers.BooleanField(required=False, default=True)
    # The service checks the unit is in force today (400 unknown_unit otherwise).
    assigned_unit = serializers.RegexField(r"^[0-9]{2,5}$", required=False, default=None)


class IncidentTransitionApi(APIView):
    access_policy = "scoped"
    token_scope = "incidents:handle"  # no token may hold it: people move incidents

    @extend_schema(request=TransitionInput, responses=StaffIncidentOutput)
    def post(self, request, public_id: str):
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        principal = principal_of(request)
        incident = services.incident_transition(
            principal=principal, public_id=public_id, to_status=data.validated_data["to"],
            note=data.validated_data["note"], is_public=data.validated_data["public"],
            assigned_unit_code=data.validated_data["assigned_unit"])
        return Response(StaffIncidentOutput(incident, context={"principal": principal}).data)


class MergeInput(serializers.Serializer):
    into = serializers.CharField(max_length=20)


class IncidentMergeApi(APIView):
    access_policy = "scoped"
    token_scope = "incidents:handle"

    @extend_schema(request=MergeInput, responses=StaffIncidentOutput)
    def post(self, request, public_id: str):
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        principal = principal_of(request)
        incident = services.incident_merge(principal=principal, public_id=public_id,
                                           into_public_id=data.validated_data["into"])
        return Response(StaffIncidentOutput(incident, context={"principal": principal}).data)


class CommentInput(serializers.Serializer):
    text = serializers.CharField(max_length=COMMENT_MAX_LENGTH)  # blank or spaces only: 400
    public = serializers.BooleanField(required=False, default=False)  # omitted: internal note


class CommentOutput(serializers.Serializer):
    """A reply or internal note, for staff."""

    id = serializers.IntegerField()
    text = serializers.CharField(source="body")
    is_public = serializers.BooleanField()
    at = serializers.DateTimeField(source="created_at")
    by_unit = serializers.CharField(source="author_unit")
    author = serializers.CharField(source="author.username", default=None)


class IncidentCommentListApi(APIView):
    """GET an incident's replies and internal notes; POST one (`public`: false by default)."""

    access_policy = "scoped"
    token_scope = staticmethod(lambda request: "incidents:handle" if request.method == "POST"
                               else "layers:read")  # no token may hold incidents:handle

    @extend_schema(responses=CommentOutput(many=True))
    def get(self, request, public_id: str):
        comments = selectors.incident_comment_list_visible(principal=principal_of(request),
                                                           public_id=public_id)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(comments, request, view=self)
        return paginator.get_paginated_response(CommentOutput(page, many=True).data)

    @extend_schema(request=CommentInput, responses={201: CommentOutput})
    def post(self, request, public_id: str):
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.incident_comment_add(
            principal=principal_of(request), public_id=public_id,
            text=data.validated_data["text"], is_public=data.validated_data["public"])
        return Response(CommentOutput(comment).data, status=201)
