"""Staff roles as groups (issue 5).

Editors keep the record current: they add and change events, sources and
instruments, and see the member states. They may delete events, because a
mistyped or duplicated event must be removable and the deletion stays in the
event's history with who made it. They may not delete sources, instruments or
states: those carry the record (events point at them) and removing one is a
decision for a superuser.

Viewers see everything in the admin and change nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "event": ["add", "change", "delete", "view"],
    "sourcedocument": ["add", "change", "view"],
    "instrument": ["add", "change", "view"],
    "memberstate": ["view"],
}
VIEWER_PERMISSIONS = {model: ["view"] for model in EDITOR_PERMISSIONS}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make them now so
    # the groups can hold them on a fresh database.
    tracker = apps.get_app_config("tracker")
    tracker.models_module = True
    create_permissions(tracker, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    tracker.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in [("Editors", EDITOR_PERMISSIONS), ("Viewers", VIEWER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for model, actions in grants.items() for action in actions]
        permissions = Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames)
        if permissions.count() != len(codenames):
            raise RuntimeError(f"Missing tracker permissions for the {name} group.")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
