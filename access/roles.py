"""The seeded roles and their permissions: one table, synced after every migrate."""
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Role

VIEW_MAP = ["layers.view_layer", "layers.view_feature", "layers.view_adminunit",
            "layers.view_unitcrosswalk"]
EDIT_FEATURES = ["layers.add_feature", "layers.change_feature", "layers.delete_feature"]
MANAGE = ["layers.add_layer", "layers.change_layer", "layers.delete_layer",
          "layers.add_adminunit", "layers.change_adminunit", "layers.delete_adminunit",
          "layers.add_unitcrosswalk", "layers.change_unitcrosswalk",
          "layers.delete_unitcrosswalk", "auth.view_user", "auth.add_user", "auth.change_user",
          "auth.delete_user", "auth.view_group", "auth.change_group",
          "access.view_jurisdiction", "access.add_jurisdiction", "access.change_jurisdiction",
          "access.delete_jurisdiction", "access.view_apitoken", "access.add_apitoken",
          "access.change_apitoken", "access.delete_apitoken"]
VIEW_INCIDENTS = ["incidents.view_incident", "incidents.view_category"]
HANDLE = ["incidents.handle_incident"]
TRIAGE = ["incidents.add_incident", "incidents.verify_incident", "incidents.assign_incident",
          "incidents.merge_incident"]
PROVINCE_WIDE = "access.province_wide"
PRIVATE = "access.view_private_properties"
EXPORT = "access.export_data"
PIN_WALL = "wall.pin_scene"  # hold the video wall on one scene (wall/services.py)
READ_ALERTS = ["alerts.view_alert"]
HANDLE_ALERTS = ["alerts.view_alert", "alerts.change_alert"]
CHECK_SOURCES = "sources.run_check"  # run the sources' health check now (sources/)
MANAGE_ALERTS = ["alerts.view_departmentcontact", "alerts.add_departmentcontact",
                 "alerts.change_departmentcontact", "alerts.delete_departmentcontact",
                 "alerts.view_alertdelivery"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.PROVINCE_LEADER: VIEW_MAP + VIEW_INCIDENTS + HANDLE_ALERTS
    + [PROVINCE_WIDE, PRIVATE, EXPORT],
    Role.SECTOR_OPERATOR: VIEW_MAP + EDIT_FEATURES + VIEW_INCIDENTS + TRIAGE + HANDLE
    + HANDLE_ALERTS + [PRIVATE, PIN_WALL, CHECK_SOURCES],
    Role.UNIT_OFFICIAL: VIEW_MAP + VIEW_INCIDENTS + HANDLE + READ_ALERTS + [PRIVATE],
    Role.FIELD_STAFF: VIEW_MAP + VIEW_INCIDENTS + HANDLE
    + ["layers.change_feature", "incidents.add_incident"],
    Role.PLANNER: VIEW_MAP + VIEW_INCIDENTS + READ_ALERTS + [PROVINCE_WIDE, EXPORT],
    Role.WALL_DISPLAY: VIEW_MAP + VIEW_INCIDENTS + [PROVINCE_WIDE],
    Role.INTEGRATION_CLIENT: VIEW_MAP + ["layers.add_feature", "layers.change_feature",
                                         "incidents.add_incident"],
    Role.ADMINISTRATOR: VIEW_MAP + EDIT_FEATURES + MANAGE + VIEW_INCIDENTS + TRIAGE + HANDLE
    + HANDLE_ALERTS + MANAGE_ALERTS + [CHECK_SOURCES]
    + ["incidents.add_category", "incidents.change_category", "incidents.change_incident",
       PROVINCE_WIDE, PRIVATE, EXPORT, "audit.view_auditlog", PIN_WALL],
    Role.CITIZEN: [],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_sync() -> None:
    """Create every role's group and set exactly its permissions (idempotent)."""
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(name) for name in dotted_names])
