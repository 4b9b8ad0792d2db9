"""The search index: one entry per instrument, event and source, kept current on every write (issue 15).

An entry holds the searchable text of its object, twice: as written (for PostgreSQL's full-text search, with
its 'english' and 'russian' configurations and a GIN index) and as Snowball stems (for SQLite's FTS5, which
has no stemmer of its own). ``tracker.search`` asks the index; nothing else reads it.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connections, models
from django.db.models import F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from tracker.models.events import Event
from tracker.models.instruments import Instrument
from tracker.models.sources import SourceDocument
from tracker.models.states import MemberState
from tracker.stemming import stem, stemmed_text

# The SQLite FTS5 table over the entries' stems (created by migration 0008, kept in step by triggers).
FTS_TABLE = "tracker_search_fts"
# Titles count for more than text in the ranking, on both databases.
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
# FTS5's ranking function with those weights (the third column, the kind, counts for nothing).
BM25 = f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0)"


class SearchEntryQuerySet(models.QuerySet):
    def matching(self, query_words: list[str], kind: str | None = None):
        """Entries (of ``kind``, if given) holding every one of ``query_words`` in some form; usable as a subquery."""
        if not query_words:
            return self.none()
        if connections[self.db].vendor == "postgresql":
            entries = self.filter(vector=postgres_query(query_words))
            return entries.filter(kind=kind) if kind else entries
        match = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_match(query_words, kind)])
        return self.filter(pk__in=match)

    def count_matching(self, query_words: list[str], kind: str) -> int:
        """How many entries of ``kind`` in the whole index match: ``matching(...).count()``, from the index alone."""
        if not query_words:
            return 0
        if connections[self.db].vendor == "postgresql":
            return self.matching(query_words, kind).count()
        # Counted inside FTS5 (kind is indexed there): 12 ms for 60,000 matches, against 70 ms through the
        # entries table (bench/search.py).
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_match(query_words, kind)]
            )
            return cursor.fetchone()[0]

    def best(self, query_words: list[str], kind: str, start: int, stop: int) -> list[tuple[int, float]]:
        """(id, rank) of the whole index's matches of ``kind`` from ``start`` to ``stop``, best first."""
        if connections[self.db].vendor == "postgresql":
            return list(self.ranked(query_words, kind).order_by("-rank", "pk").values_list("pk", "rank")[start:stop])
        # Ranked inside FTS5 alone: joining the entries first doubles the time for 19,000 sources (bench/search.py).
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -{BM25} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY {BM25}, rowid"
                " LIMIT %s OFFSET %s",
                [fts_match(query_words, kind), stop - start, start],
            )
            return cursor.fetchall()

    def ranked(self, query_words: list[str], kind: str | None = None):
        """``matching``, with a ``rank`` (higher is better); not for use inside another query."""
        if not query_words:
            return self.annotate(rank=Value(0.0)).none()
        if connections[self.db].vendor == "postgresql":
            query = postgres_query(query_words)
            return self.matching(query_words, kind).annotate(rank=SearchRank(F("vector"), query))
        # A join rather than a subquery, because FTS5's bm25() ranks only inside its own MATCH query. It is
        # lower for a better match; negated, so that higher is better as on PostgreSQL.
        return self.extra(
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE}.rowid = tracker_searchentry.id", f"{FTS_TABLE} MATCH %s"],
            params=[fts_match(query_words, kind)],
            select={"rank": f"-{BM25}"},
        )


def postgres_query(query_words: list[str]) -> SearchQuery:
    # Either configuration may read the query: 'russian' stems Cyrillic words (and English ones with the
    # English stemmer), 'english' knows English stop words.
    text = " ".join(query_words)
    return SearchQuery(text, config="english") | SearchQuery(text, config="russian")


def fts_match(query_words: list[str], kind: str | None = None) -> str:
    """The FTS5 query: every word's stem in the titles or text, and the kind if given.

    Each stem is a quoted FTS5 string, so no word of the reader's can act as an FTS5 operator.
    """
    words = " AND ".join('"{}"'.format(stem(word).replace('"', '""')) for word in query_words)
    match = f"{{stems_title stems_body}} : ({words})"
    return f"{match} AND kind : {kind}" if kind else match


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        INSTRUMENT = "instrument", _("Instrument")
        SOURCE = "source", _("Source")
        EVENT = "event", _("Event")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    instrument = models.OneToOneField(Instrument, null=True, on_delete=models.CASCADE, related_name="search_entry")
    source = models.OneToOneField(SourceDocument, null=True, on_delete=models.CASCADE, related_name="search_entry")
    event = models.OneToOneField(Event, null=True, on_delete=models.CASCADE, related_name="search_entry")
    state = models.ForeignKey(
        MemberState,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The event's member state, for the search's state filter."),
    )
    date = models.DateField(_("date"), null=True, help_text=_("The event's or source's date, for the date filter."))
    title = models.TextField(_("titles"), blank=True)
    body = models.TextField(_("text"), blank=True)
    stems_title = models.TextField(blank=True)
    stems_body = models.TextField(blank=True)
    vector = SearchVectorField(null=True)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [GinIndex(fields=["vector"], name="search_entry_vector")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="instrument", instrument__isnull=False, source__isnull=True, event__isnull=True)
                | Q(kind="source", instrument__isnull=True, source__isnull=False, event__isnull=True)
                | Q(kind="event", instrument__isnull=True, source__isnull=True, event__isnull=False),
                name="search_entry_has_one_object",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.instrument_id or self.source_id or self.event_id}"


def vector_expression():
    """The PostgreSQL document: titles weighted above text, read by both configurations."""
    return (
        SearchVector("title", config="english", weight="A")
        + SearchVector("title", config="russian", weight="A")
        + SearchVector("body", config="english", weight="B")
        + SearchVector("body", config="russian", weight="B")
    )


def entry_for(kind: str, obj, entry_model=None) -> "SearchEntry":
    """The (unsaved) index entry of an instrument, source or event: what the search may find it by.

    Reads fields only, so that migration 0008 can index with its historical models (``entry_model``).
    """
    entry = (entry_model or SearchEntry)(kind=kind, **{kind: obj})
    if kind == SearchEntry.Kind.INSTRUMENT:
        entry.title = _lines([obj.title, obj.short_title, obj.title_ru, obj.short_title_ru])
        entry.body = obj.aliases
    elif kind == SearchEntry.Kind.SOURCE:
        entry.date, entry.title, entry.body = obj.date, obj.title, _lines([obj.speaker, obj.place, obj.text])
    else:
        entry.state_id, entry.date, entry.body = obj.state_id, obj.date, _lines([obj.quote, obj.place, obj.note])
    entry.stems_title, entry.stems_body = stemmed_text(entry.title), stemmed_text(entry.body)
    return entry


def _lines(texts) -> str:
    return "\n".join(text for text in texts if text)


def index_objects(kind: str, objects, using: str = "default", entry_model=None) -> None:
    """Write the index entries of ``objects`` (all of one ``kind``), replacing any they had."""
    objects = list(objects)
    if not objects:
        return
    manager = (entry_model or SearchEntry)._default_manager.using(using)
    entries = manager.filter(**{f"{kind}__in": objects})
    entries.delete()
    manager.bulk_create([entry_for(kind, obj, entry_model) for obj in objects], batch_size=2000)
    if connections[using].vendor == "postgresql":
        entries.update(vector=vector_expression())


def rebuild_search_index(using: str = "default", batch_size: int = 5000, apps=None) -> int:
    """Build the whole index afresh from the record (``manage.py rebuild_search_index``); returns its size.

    ``apps`` is a migration's app registry, when a migration builds the index with its historical models.
    """
    model = apps.get_model if apps else {"tracker.SearchEntry": SearchEntry, **INDEXED_MODELS_BY_LABEL}.get
    entry_model = model("tracker.SearchEntry")
    entry_model._default_manager.using(using).all().delete()
    for kind, label in INDEXED_LABELS.items():
        batch = []
        for obj in model(label)._default_manager.using(using).order_by("pk").iterator(chunk_size=batch_size):
            batch.append(obj)
            if len(batch) == batch_size:
                index_objects(kind, batch, using, entry_model)
                batch = []
        index_objects(kind, batch, using, entry_model)
    if connections[using].vendor == "sqlite":
        # Merge the index's segments, one per batch written: counting a common word drops from 11 to 2 ms.
        with connections[using].cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    return entry_model._default_manager.using(using).count()


INDEXED_LABELS = {
    SearchEntry.Kind.INSTRUMENT: "tracker.Instrument",
    SearchEntry.Kind.SOURCE: "tracker.SourceDocument",
    SearchEntry.Kind.EVENT: "tracker.Event",
}
INDEXED_MODELS_BY_LABEL = {
    "tracker.Instrument": Instrument,
    "tracker.SourceDocument": SourceDocument,
    "tracker.Event": Event,
}
KIND_OF_MODEL = {
    Instrument: SearchEntry.Kind.INSTRUMENT,
    SourceDocument: SearchEntry.Kind.SOURCE,
    Event: SearchEntry.Kind.EVENT,
}


@receiver(post_save, sender=Instrument)
@receiver(post_save, sender=SourceDocument)
@receiver(post_save, sender=Event)
def index_saved_object(sender, instance, using="default", **kwargs):
    # Raw saves too (loaddata, restore_record): the entry needs only the object's own fields.
    # A deleted object's entry goes with it (on_delete=CASCADE, and on SQLite the FTS5 triggers).
    index_objects(KIND_OF_MODEL[sender], [instance], using)
