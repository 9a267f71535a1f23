"""After every migrate, the incidents map layer exists and lists the current categories."""
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate, dispatch_uid="incidents-layer-sync")
def sync_layer(sender, **kwargs) -> None:
    if sender.name != "incidents":
        return
    from .projection import incidents_layer_sync

    incidents_layer_sync()
