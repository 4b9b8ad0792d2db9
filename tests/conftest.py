import pytest
from django.utils import translation

from tests.builders import make_six_states


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
