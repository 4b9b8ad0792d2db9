"""What every record's admin shares: the audit trail, optimistic locking, clean text and a bounded search."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.admin_locking import OptimisticLockAdmin
from tracker.text_cleaning import TextCleaningModelForm


class HistoryAdmin(OptimisticLockAdmin, SimpleHistoryAdmin):
    """Every change kept with who made it, viewable and revertible from the object's History page."""

    form = TextCleaningModelForm

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a posted revert for anyone allowed to *view* the history;
        # reverting is a change, so it needs the change permission.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Each word of a search is an OR over every search field, and the words are ANDed: SQLite refuses such an
    # expression of a few hundred words ("Expression tree is too large"), which was a 503 (issue 17).
    SEARCH_WORD_LIMIT = 20
    SEARCH_LENGTH_LIMIT = 500

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > self.SEARCH_LENGTH_LIMIT or len(search_term.split()) > self.SEARCH_WORD_LIMIT:
            message = _(
                "This search is too long: at most %(words)s words and %(characters)s characters. Nothing was searched."
            )
            limits = {"words": self.SEARCH_WORD_LIMIT, "characters": self.SEARCH_LENGTH_LIMIT}
            self.message_user(request, message % limits, messages.WARNING)
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
