"""Staff editing (issue 5): fast entry of events from a source, validation, history and bulk import.

One module per model family: ``events`` (the event form, its inlines and the events' list), ``instruments``,
``sources`` and ``states``; ``history`` holds what every record's admin shares, and ``problems`` shows staff
what ``tracker.record_checks`` finds. Statuses shown here come from ``tracker.status``. Nothing is worked out twice.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Imported for their @admin.register: Django's autodiscovery imports only this package.
from tracker.admin import events, instruments, sources, states  # noqa: F401

admin.site.site_header = _("CSTO ratification tracker")
admin.site.site_title = _("CSTO tracker admin")
admin.site.index_title = _("Keep the record")

# E-mail alerts (issue 16), registered in their own module.
import tracker.alerts.admin  # noqa: E402, F401
