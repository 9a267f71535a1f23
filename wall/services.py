"""Writes of the wall: an operator pins a scene (the wall stops rotating and shows it until
the pin expires or is released) or releases the pin."""
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from access.principal import Principal

from .errors import PinConflict, PinNotAllowed
from .models import ScenePin
from .selectors import scene_get_active

PIN_PERMISSION = "wall.pin_scene"


def _check_may_pin(principal: Principal) -> None:
    if not principal.has(PIN_PERMISSION):
        raise PinNotAllowed("Tài khoản không có quyền ghim cảnh trên màn hình tường.")


def _release_open_pins(*, now: datetime, by_user_id: int | None) -> int:
    """End every pin not yet released: at `now`, or at its expiry if that came first."""
    released = 0
    for pin in ScenePin.objects.select_for_update().filter(released_at__isnull=True):
        pin.released_at = min(now, pin.until)
        pin.released_by_id = by_user_id if pin.until > now else None
        pin.save(update_fields=["released_at", "released_by"])
        released += 1
    return released


def scene_pin(*, principal: Principal, slug: str, minutes: int, now: datetime) -> ScenePin:
    """Hold the wall on the active scene `slug` for `minutes`, replacing any pin in force."""
    _check_may_pin(principal)
    scene = scene_get_active(slug=slug)
    try:
        with transaction.atomic():
            _release_open_pins(now=now, by_user_id=principal.user_id)
            pin = ScenePin.objects.create(scene=scene, pinned_by_id=principal.user_id,
                                          pinned_at=now, until=now + timedelta(minutes=minutes))
    except IntegrityError as error:  # another pin committed between our lock and insert
        raise PinConflict("Một cảnh khác vừa được ghim; hãy thử lại.") from error
    pin.scene = scene
    return pin


@transaction.atomic
def scene_unpin(*, principal: Principal, now: datetime) -> bool:
    """Release the pin in force; the wall rotates again. False when nothing was pinned."""
    _check_may_pin(principal)
    return _release_open_pins(now=now, by_user_id=principal.user_id) > 0
