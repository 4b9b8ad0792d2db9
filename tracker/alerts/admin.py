"""Alerts in the admin, for superusers only (no group is given these permissions): addresses are personal data.

An operator can see who follows what, remove an address on request, and see a
digest that a crash interrupted (the command also reports it).
"""

from django.contrib import admin

from tracker.models import Digest, Subscription


class DigestInline(admin.TabularInline):
    model = Digest
    fields = ["since", "through", "change_count", "state", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-since"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "state", "instrument", "language", "confirmed_at", "sent_through"]
    list_filter = ["language", "state"]
    search_fields = ["email"]
    fields = ["email", "state", "instrument", "language", "confirmed_at", "sent_through"]
    readonly_fields = fields
    inlines = [DigestInline]

    def has_add_permission(self, request):
        # Only the owner of an address may subscribe it, through the confirmation link.
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["subscription", "since", "through", "change_count", "state", "sent_at"]
    list_filter = ["state"]
    readonly_fields = ["subscription", "since", "through", "change_count", "state", "started_at", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
