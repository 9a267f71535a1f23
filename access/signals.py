"""Connects access to Django's migrate: roles are (re)seeded after every migrate, once the
permissions of every app exist (they are created by post_migrate handlers too). Any change to
users, roles, rights, jurisdictions or tokens forgets the remembered principals."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

from .models import ApiToken, Jurisdiction
from .principal import principals_forget

_User = get_user_model()
for _model in (_User, Group, Jurisdiction, ApiToken):
    post_save.connect(principals_forget, sender=_model, dispatch_uid=f"forget-save-{_model}")
    post_delete.connect(principals_forget, sender=_model, dispatch_uid=f"forget-del-{_model}")
for _through in (_User.groups.through, _User.user_permissions.through,
                 Group.permissions.through, Jurisdiction.units.through, ApiToken.units.through):
    m2m_changed.connect(principals_forget, sender=_through, dispatch_uid=f"forget-m2m-{_through}")


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
