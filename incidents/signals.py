"""After every migrate, the incidents map layer exists and lists the current categories; a
change of a category is seen by this process's next report at once."""
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .models import Category


@receiver(post_migrate, dispatch_uid="incidents-layer-sync")
def sync_layer(sender, **kwargs) -> None:
    if sender.name != "incidents":
        return
    from .projection import incidents_layer_sync

    incidents_layer_sync()


@receiver([post_save, post_delete], sender=Category, dispatch_uid="incidents-categories-forget")
def forget_categories(**kwargs) -> None:
    from .selectors import categories_forget

    categories_forget()
