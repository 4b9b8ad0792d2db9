import pytest

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
