"""The public side of incidents: reports as citizens follow them (tracking page data, rating,
photos) and the duplicate check offered before submitting. Anyone with a tracking id; never
contact details, internal notes or the people who handled a report."""
from django.contrib.gis.geos import Point
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .api import Coordinate, EventOutput, PublicIncidentOutput
from .models import Incident


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
