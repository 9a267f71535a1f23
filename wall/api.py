"""REST endpoints of the wall (/api/wall/…). Thin: read input, one domain call, write output.

Reads are for whoever may open the wall (`incident_feed_allowed`: incident view rights and some
ground); pinning needs `wall.pin_scene` (operators, administrators)."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.principal import Principal, principal_of
from incidents.realtime import incident_feed_allowed

from . import conf, selectors, services
from .errors import WallNotAllowed
from .models import PIN_MAX_MINUTES, ScenePin


def wall_principal(request: Request) -> Principal:
    """The caller, if they may follow the wall (WallNotAllowed, 403, otherwise)."""
    principal = principal_of(request)
    if not incident_feed_allowed(principal):
        raise WallNotAllowed("Tài khoản không có quyền xem màn hình tường.")
    return principal


class SceneOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    dwell_seconds = serializers.IntegerField()
    center = serializers.ListField(child=serializers.FloatField())
    zoom = serializers.FloatField()
    layers = serializers.ListField(child=serializers.DictField())
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    panels = serializers.ListField(child=serializers.CharField())


class PinOutput(serializers.Serializer):
    scene = serializers.CharField(source="scene.slug")
    pinned_by = serializers.SerializerMethodField()
    pinned_at = serializers.DateTimeField()
    until = serializers.DateTimeField()

    def get_pinned_by(self, pin: ScenePin) -> str | None:
        user = pin.pinned_by
        return (user.get_full_name() or user.get_username()) if user else None


def pin_data(pin: ScenePin | None) -> dict | None:
    """A pin as the API shows it (None: no pin in force)."""
    return PinOutput(pin).data if pin is not None else None


class SceneListApi(APIView):
    """The wall's scenes (layers and filters the caller may see) and the pin in force."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(responses=inline_serializer("WallScenes", {
        "scenes": SceneOutput(many=True), "pin": PinOutput(allow_null=True),
        "now": serializers.DateTimeField()}))
    def get(self, request: Request) -> Response:
        scenes = selectors.scene_list_for_wall(principal=wall_principal(request))
        now = timezone.now()
        return Response({"scenes": SceneOutput(scenes, many=True).data,
                         "pin": pin_data(selectors.pin_in_force(now=now)),
                         "now": serializers.DateTimeField().to_representation(now)})


class PinInput(serializers.Serializer):
    scene = serializers.SlugField(max_length=50)
    minutes = serializers.IntegerField(min_value=1, max_value=PIN_MAX_MINUTES, required=False,
                                       default=60)


class PinApi(APIView):
    """GET {"pin": the pin in force, or null when the wall rotates}; POST {scene, minutes} pins a scene,
    replacing any pin; DELETE releases it."""

    access_policy = "scoped"
    # Reads as the other wall reads; no token may pin: people decide what the wall shows.
    token_scope = staticmethod(lambda request: "layers:read" if request.method == "GET"
                               else "wall:pin")

    @extend_schema(responses=inline_serializer("WallPin", {"pin": PinOutput(allow_null=True)}))
    def get(self, request: Request) -> Response:
        wall_principal(request)
        return Response({"pin": pin_data(selectors.pin_in_force(now=timezone.now()))})

    @extend_schema(request=PinInput, responses={201: PinOutput})
    def post(self, request: Request) -> Response:
        data = PinInput(data=request.data)
        data.is_valid(raise_exception=True)
        pin = services.scene_pin(principal=principal_of(request),
                                 slug=data.validated_data["scene"],
                                 minutes=data.validated_data["minutes"], now=timezone.now())
        return Response(pin_data(pin), status=201)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        services.scene_unpin(principal=principal_of(request), now=timezone.now())
        return Response(status=204)


class KpiApi(APIView):
    """The KPI strip: open, new in 24 h, overdue, resolved on time over 30 days — within the
    caller's jurisdiction."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(responses=inline_serializer("WallKpi", {
        "open": serializers.IntegerField(), "overdue": serializers.IntegerField(),
        "new_24h": serializers.IntegerField(), "resolved_30d": serializers.IntegerField(),
        "resolved_on_time_30d": serializers.IntegerField(),
        "on_time_pct": serializers.FloatField(allow_null=True),
        "at": serializers.DateTimeField()}))
    def get(self, request: Request) -> Response:
        now = timezone.now()
        figures = selectors.wall_kpi(principal=wall_principal(request), now=now)
        return Response({**figures, "at": serializers.DateTimeField().to_representation(now)})


class EventQueryInput(serializers.Serializer):
    scene = serializers.SlugField(max_length=50, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False)


class RecentIncidentOutput(serializers.Serializer):
    """What a wall shows of an incident: no text, address, origin or reporter."""

    id = serializers.CharField(source="public_id")
    title = serializers.CharField()
    category = serializers.CharField(source="category.code")
    status = serializers.CharField()
    severity = serializers.CharField()
    commune_code = serializers.CharField()
    lon = serializers.FloatField(source="location.x")
    lat = serializers.FloatField(source="location.y")
    created_at = serializers.DateTimeField()


class RecentIncidentListApi(APIView):
    """The newest incidents the caller may see (`?scene=` applies that scene's filters)."""

    access_policy = "scoped"
    token_scope = "layers:read"

    @extend_schema(parameters=[EventQueryInput], responses=RecentIncidentOutput(many=True))
    def get(self, request: Request) -> Response:
        query = EventQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        incidents = selectors.wall_recent_incidents(
            principal=wall_principal(request),
            limit=query.validated_data.get("limit", conf.events_shown()),
            scene_slug=query.validated_data.get("scene"))
        return Response(RecentIncidentOutput(incidents, many=True).data)
