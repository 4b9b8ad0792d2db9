"""Member states, with who speaks for each in the texts (for the speech reader)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.admin.history import HistoryAdmin
from tracker.models import MemberState, StateActor
from tracker.text_cleaning import TextCleaningModelForm


class StateActorInline(admin.TabularInline):
    """Who speaks for a state in the texts (its names, chambers, president for his term) for the speech reader."""

    model = StateActor
    form = TextCleaningModelForm
    extra = 1


@admin.register(MemberState)
class MemberStateAdmin(HistoryAdmin):
    list_display = ["name", "official_name", "name_ru", "iso3", "member_since", "member_until"]
    search_fields = ["name", "official_name", "name_ru", "official_name_ru", "iso3"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "official_name", "iso3", "slug", "member_since", "member_until"]}),
        (_("In Russian"), {"fields": ["name_ru", "official_name_ru"]}),
    ]
    inlines = [StateActorInline]
