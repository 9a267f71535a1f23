"""Photos from citizens are re-encoded before we keep them: only JPEG/PNG/WebP are opened, the
pixel count is capped before decoding (decompression bombs), orientation is applied, and the
stored JPEG carries no EXIF at all (GPS position, device, time)."""
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidPhoto

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    width: int
    height: int


def photo_clean(*, data: bytes) -> CleanPhoto:
    """The re-encoded photo, or InvalidPhoto (400) with the reason."""
    if len(data) > settings.INCIDENT_PHOTO_MAX_BYTES:
        raise InvalidPhoto(f"Ảnh quá lớn (tối đa {settings.INCIDENT_PHOTO_MAX_BYTES // 2**20} MB).")
    try:
        with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_FORMATS)) as image:
            width, height = image.size
            if width * height > settings.INCIDENT_PHOTO_MAX_PIXELS:
                raise InvalidPhoto("Ảnh có quá nhiều điểm ảnh.")
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((settings.INCIDENT_PHOTO_MAX_SIDE,) * 2)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= → none kept
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise InvalidPhoto("Tệp không phải ảnh JPEG, PNG hoặc WebP hợp lệ.") from exc
    return CleanPhoto(ContentFile(out.getvalue(), name="photo.jpg"), image.width, image.height)
