import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import call_command
from django.utils import translation

from tests.builders import make_event, make_instrument, make_six_states, make_source
from tracker.models import Event
from tracker.record_version import forget_record_answers
from tracker.templatetags.tracker_extras import dated_words_cache_clear

RUSSIAN_CATALOG = Path(__file__).resolve().parent.parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    # `make test` compiles them; a bare `pytest` after editing the .po file would test stale Russian otherwise.
    compiled = RUSSIAN_CATALOG.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < RUSSIAN_CATALOG.stat().st_mtime:
        call_command("compilemessages", locale=["ru"], ignore_patterns=[".venv", "bench"], verbosity=0)


@pytest.fixture
def six_states(db):
    return make_six_states()


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    # The hashed-name manifest exists only after collectstatic; tests render pages without running it.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # A request to a /ru/ page leaves Russian active in the thread (LocaleMiddleware activates a language and
    # nothing deactivates it), so a later test's reverse() would build /ru/ addresses.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    # Cached pages are keyed by the record's version row, which every test database starts afresh: a page one
    # test rendered (the matrix of an empty record, say) would otherwise be served to the next (issue 14).
    for cache in caches.all():
        cache.clear()
    dated_words_cache_clear()
    forget_record_answers()
    yield
    for cache in caches.all():
        cache.clear()
    dated_words_cache_clear()
    forget_record_answers()


@pytest.fixture
def searchable_record(six_states):
    """Two instruments (one with a Russian title), two sources and two events: what the search tests search."""
    peacekeeping = make_instrument(
        title="Agreement on Peacekeeping Activities",
        short_title="Peacekeeping Agreement",
        title_ru="Соглашение о миротворческой деятельности",
        slug="peacekeeping",
    )
    treaty = make_instrument(
        title="Collective Security Treaty",
        short_title="Treaty",
        title_ru="Договор о коллективной безопасности",
        slug="treaty",
        kind="treaty",
        aliases="Tashkent Treaty",
    )
    speech = make_source(
        title="Address in Minsk",
        slug="minsk",
        date=datetime.date(2023, 5, 18),
        text="Belarus ratified the Treaty. The peacekeeping forces trained in Belarus.\n"
        "Обсуждены вопросы миротворческих сил.",
    )
    old = make_source(
        title="Bishkek news",
        slug="bishkek",
        date=datetime.date(2019, 6, 27),
        text="Armenia will ratify the agreement soon.",
    )
    belarus = make_event(instrument=treaty, state=six_states["BLR"], source=speech, quote="Belarus ratified the Treaty")
    armenia = make_event(
        instrument=peacekeeping,
        state=six_states["ARM"],
        source=old,
        type=Event.Type.RATIFICATION_PENDING,
        quote="Armenia will ratify the agreement soon",
        place="Yerevan",
        note="A weak statement of intent.",
    )
    return {
        "peacekeeping": peacekeeping,
        "treaty": treaty,
        "speech": speech,
        "old": old,
        "belarus": belarus,
        "armenia": armenia,
        "states": six_states,
    }


@pytest.fixture(autouse=True)
def _import_uploads_in_a_folder_of_the_test(settings, tmp_path):
    # The admin importer keeps uploads between preview and confirm in IMPORT_UPLOAD_DIR (issue 17).
    settings.IMPORT_UPLOAD_DIR = tmp_path / "import-uploads"


@pytest.fixture
def import_record(six_states):
    """What the importer tests import into: the six states, an instrument "protocol" and a source "speech"."""
    text = "The Protocol has been ratified by Armenia. Belarus ratified it too. Kazakhstan is still considering it."
    return {
        "states": six_states,
        "instrument": make_instrument(slug="protocol"),
        "source": make_source(slug="speech", date=datetime.date(2024, 5, 20), text=text),
    }


@pytest.fixture
def import_editor(db):
    user = User.objects.create_user("editor", password="a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def scripted_record(six_states):
    """A <script> in an instrument's titles and note, a source's title and text, and an event's quote and note."""
    instrument = make_instrument(title=f"Treaty {SCRIPT}", short_title=f"T {SCRIPT}", slug="scripted", note=SCRIPT)
    source = make_source(
        title=f"Speech {SCRIPT}", slug="scripted-speech", speaker=SCRIPT, text=f"It said {SCRIPT} then."
    )
    event = make_event(
        instrument=instrument,
        state=six_states["ARM"],
        source=source,
        quote=f"said {SCRIPT}",
        note=SCRIPT,
        precision=Event.Precision.DAY,
    )
    return event


@pytest.fixture
def one_of_each(six_states):
    instrument = make_instrument(slug="roles-treaty")
    source = make_source(slug="roles-speech")
    event = make_event(instrument=instrument, state=six_states["KAZ"], source=source)
    return {"memberstate": six_states["KAZ"], "instrument": instrument, "sourcedocument": source, "event": event}
