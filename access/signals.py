"""Connects access to Django's migrate: roles are (re)seeded after every migrate, once the
permissions of every app exist (they are created by post_migrate handlers too)."""
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def seed_roles(sender, app_config=None, **kwargs) -> None:
    """Sync roles after the last app's post_migrate (ours is registered after auth's)."""
    if app_config is None or app_config.label != "access":
        return
    from django.contrib.auth.management import create_permissions
    from django.apps import apps

    for config in apps.get_app_configs():  # permissions must exist before groups get them
        create_permissions(config, verbosity=0)
    from .roles import roles_sync

    roles_sync()
