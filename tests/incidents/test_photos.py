"""Citizens' photos are re-encoded: EXIF (GPS, device) stripped, size and pixels capped."""
import io

import pytest
from PIL import Image

from incidents.models import Incident

pytestmark = pytest.mark.django_db
GPS_IFD = 0x8825


def _report(api_client) -> str:
    return api_client.post("/api/incidents/", {
        "category": "khac", "lon": 105.9, "lat": 19.74, "title": "Ổ gà",
        "description": "Ổ gà lớn giữa đường"}, format="json").json()["id"]


def _jpeg_with_exif(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"            # Make
    exif[0x0112] = 6                       # Orientation: rotate 90°
    exif.get_ifd(GPS_IFD)[2] = (19.0, 44.0, 24.0)   # GPSLatitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(api_client, public_id: str, data: bytes, name="anh.jpg"):
    upload = io.BytesIO(data)
    upload.name = name
    return api_client.post(f"/api/reports/{public_id}/photos/", {"photo": upload},
                           format="multipart")


def test_photos_lose_their_exif_and_are_capped(api_client):
    public_id = _report(api_client)
    original = _jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the GPS is there
    response = _upload(api_client, public_id, original)
    assert response.status_code == 201, response.content
    assert (response.json()["width"], response.json()["height"]) == (1365, 2048)  # rotated
    served = api_client.get(response.json()["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = b"".join(served.streaming_content)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and max(image.size) == 2048
    assert len(image.getexif()) == 0 and b"PhoneMaker" not in data and b"Exif" not in data
    assert Incident.objects.get(public_id=public_id).photos.count() == 1


@pytest.mark.parametrize("data, name", [
    (b"not an image at all", "x.jpg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg"),
    (b"GIF89a" + b"\x00" * 64, "x.gif"),
])
def test_what_is_not_a_photo_is_a_400(api_client, data, name):
    response = _upload(api_client, _report(api_client), data, name)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_photo"


def test_decompression_bombs_are_refused_before_decoding(api_client, settings):
    settings.INCIDENT_PHOTO_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("L", (2000, 2000)).save(out, format="PNG")  # tiny file, 4 Mpx
    assert len(out.getvalue()) < 50_000
    response = _upload(api_client, _report(api_client), out.getvalue(), "bomb.png")
    assert response.status_code == 400


def test_at_most_five_photos_and_only_before_verification(api_client, django_user_model):
    public_id = _report(api_client)
    small = io.BytesIO()
    Image.new("RGB", (20, 20)).save(small, format="PNG")
    for _ in range(5):
        assert _upload(api_client, public_id, small.getvalue(), "a.png").status_code == 201
    assert _upload(api_client, public_id, small.getvalue(), "a.png").status_code == 400
    Incident.objects.filter(public_id=public_id).update(status="verified")
    assert _upload(api_client, public_id, small.getvalue(), "a.png").status_code == 409
