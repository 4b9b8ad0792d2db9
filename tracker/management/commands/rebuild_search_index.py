from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.models import rebuild_search_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the whole record. Every save keeps it current; run this after writes that"
        " bypass the models (raw SQL, a bulk load) or to check that the index holds what the record says."
    )

    def handle(self, *args, **options):
        # One transaction: readers see the old index until the new one is complete.
        with transaction.atomic():
            size = rebuild_search_index()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search index: {size} entries."))
