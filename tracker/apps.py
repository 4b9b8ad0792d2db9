from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("CSTO ratification tracker")

    def ready(self):
        # The status spans follow every write to the record (issue 18): their receivers live with their writer.
        from tracker import spans  # noqa: F401
