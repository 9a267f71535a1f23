"""Writes made through Django drain the invalidation queue once they commit; layer definition
changes clear that layer's tiles (their content or shape may change everywhere); token and
user changes make the tile gateway check tokens again."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from django.contrib.auth import get_user_model

from access.models import ApiToken
from layers.models import AdminUnit, Feature, Layer
from layers.signals import features_changed

from .maintenance import drain_after_commit
from .sources import registry

for model in (Feature, AdminUnit):
    post_save.connect(drain_after_commit, sender=model, dispatch_uid=f"tiles-drain-save-{model}")
    post_delete.connect(drain_after_commit, sender=model,
                        dispatch_uid=f"tiles-drain-delete-{model}")
features_changed.connect(drain_after_commit, dispatch_uid="tiles-drain-features")


def _forget_tokens(**_) -> None:
    from .gateway import token_checks

    token_checks.forget()


# A revoked token or a deactivated user stops working on tiles at once in this process
# (other processes recheck tokens every second: tiles/gateway.py).
for model in (ApiToken, get_user_model()):
    post_save.connect(_forget_tokens, sender=model, dispatch_uid=f"tiles-tokens-save-{model}")
    post_delete.connect(_forget_tokens, sender=model, dispatch_uid=f"tiles-tokens-del-{model}")


@receiver([post_save, post_delete], sender=Layer, dispatch_uid="tiles-layer-changed")
def layer_changed(sender, instance: Layer, **kwargs) -> None:
    """Forget the registry snapshot now, and the layer's cached tiles once committed."""
    from .cache import tile_cache

    registry.reset()
    slug = instance.slug
    transaction.on_commit(lambda: (registry.reset(), tile_cache().clear_layer(slug)))
