"""REST endpoints of the incident workflow. Thin: read input, one domain call, write output."""
import math

from django.contrib.gis.geos import Point
from django.core.validators import URLValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import principal_of
from ioc_gis.api.pagination import LimitOffsetPagination
from ioc_gis.api.serializers import FlatFieldsMixin

from . import selectors, services
from .models import COMMENT_MAX_LENGTH, PUBLIC_CHANNELS, Channel, Incident, Severity
from .transitions import Status, next_states


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


class IncidentListApi(APIView):
    access_policy = "scoped"
    token_scope = staticmethod(lambda request: "reports:submit" if request.method == "POST"
                               else "layers:read")

    @extend_schema(responses=StaffIncidentOutput(many=True))
    def get(self, request):
        query = request.query_params
        principal = principal_of(request)
        incidents = selectors.incident_list_visible(
            principal=principal, status=_codes(query, "status"),
            category=_codes(query, "category"), commune=query.get("commune") or None)
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


def _codes(query, name: str) -> list[str] | None:
    text = query.get(name, "")
    return [c for c in text.split(",") if c] or None


class IncidentDetailApi(APIView):
    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(responses=StaffIncidentOutput)
    def get(self, request, public_id: str):
        principal = principal_of(request)
        incident = selectors.incident_get_visible(principal=principal, public_id=public_id)
        data = StaffIncidentOutput(incident, context={"principal": principal,
                                                      "with_contact": True}).data
        data["events"] = EventOutput(incident.events.all(), many=True).data
        return Response(data)


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(Status.choices)
    note = serializers.CharField(max_length=2000, required=False, default="")
    public = serializers.BooleanField(required=False, default=True)
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


class DuplicateQueryInput(serializers.Serializer):
    category = serializers.SlugField(max_length=40)
    lon = Coordinate(-180, 180)
    lat = Coordinate(-90, 90)


class DuplicateOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    status = serializers.CharField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    distance_m = serializers.SerializerMethodField()

    def get_distance_m(self, incident) -> float:
        return round(incident.distance.m, 1)


class DuplicateListApi(APIView):
    """Reports like the one about to be sent (same category, ~50 m, recent): public fields."""

    access_policy = "public-reference"
    token_scope = "reports:submit"

    @extend_schema(parameters=[DuplicateQueryInput], responses=DuplicateOutput(many=True))
    def get(self, request):
        data = DuplicateQueryInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        category = selectors.category_get(code=data.validated_data["category"])
        point = Point(data.validated_data["lon"], data.validated_data["lat"], srid=4326)
        near = selectors.incident_duplicates_near(category=category, point=point)[:10]
        return Response(DuplicateOutput(near, many=True).data)


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


class ReplyOutput(serializers.Serializer):
    """A public reply as citizens see it: signed by a unit or agency, never by a person."""

    text = serializers.CharField(source="body")
    at = serializers.DateTimeField(source="created_at")
    by_unit = serializers.CharField(source="author_unit")


class ReportTrackOutput(PublicIncidentOutput):
    """The tracking page: public fields, public history, public replies."""

    events = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    @extend_schema_field(EventOutput(many=True))
    def get_events(self, incident: Incident) -> list:
        return EventOutput(incident.events.filter(is_public=True), many=True).data

    @extend_schema_field(ReplyOutput(many=True))
    def get_replies(self, incident: Incident) -> list:
        return ReplyOutput(selectors.incident_replies_public(incident=incident), many=True).data


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


class ReportTrackApi(APIView):
    """The public tracking page's data: status history and public replies, by tracking id."""

    access_policy = "public-reference"
    token_scope = "reports:submit"

    @extend_schema(responses=ReportTrackOutput)
    def get(self, request, public_id: str):
        incident = selectors.incident_get_public(public_id=public_id)
        return Response(ReportTrackOutput(incident).data)


class RatingInput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)


class ReportRatingApi(APIView):
    access_policy = "public-reference"
    token_scope = "reports:submit"

    @extend_schema(request=RatingInput, responses=PublicIncidentOutput)
    def post(self, request, public_id: str):
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_rate(public_id=public_id,
                                          rating=data.validated_data["rating"])
        return Response(PublicIncidentOutput(incident).data)


class PhotoOutput(serializers.Serializer):
    number = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.CharField()


class ReportPhotoListApi(APIView):
    """POST a photo (multipart field `photo`) to a report by its tracking id."""

    access_policy = "public-reference"
    token_scope = "reports:submit"

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "photo": {"type": "string", "format": "binary"}}}}, responses={201: PhotoOutput})
    def post(self, request, public_id: str):
        upload = request.FILES.get("photo")
        if upload is None:
            raise serializers.ValidationError({"photo": ["Cần một tệp ảnh."]})
        photo = services.incident_photo_add(public_id=public_id, data=upload.read())
        number = photo.incident.photos.count()
        return Response({"number": number, "width": photo.width, "height": photo.height,
                         "url": f"/api/reports/{public_id}/photos/{number}/"}, status=201)


class ReportPhotoApi(APIView):
    """GET the n-th photo of a report (our re-encoded JPEG)."""

    access_policy = "public-reference"
    token_scope = "reports:submit"

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request, public_id: str, number: str):
        from django.http import FileResponse

        photo = selectors.incident_photo_get(public_id=public_id, number=int(number))
        return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
