"""deploy/gunicorn.conf.py, as gunicorn reads it: the workers' collector is frozen once the application is loaded."""

import gc
from pathlib import Path

import pytest
from gunicorn.app.base import Application
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


class ConfigReader(Application):
    """gunicorn's own reading of a config file, without a command line to parse."""

    def __init__(self, path: Path):
        self.cfg = Config()
        self.load_config_from_module_name_or_filename(str(path))


@pytest.fixture
def nothing_frozen():
    assert gc.get_freeze_count() == 0
    yield
    gc.unfreeze()


def test_a_worker_freezes_what_it_has_loaded_once_the_application_is_loaded(nothing_frozen):
    cfg = ConfigReader(CONFIG).cfg
    cfg.post_worker_init(worker=None)
    # Django and the app are loaded in this process, as in a worker after its application has loaded.
    assert gc.get_freeze_count() > 10_000


def test_make_serve_and_the_benchmark_start_gunicorn_with_this_config():
    for starter in (ROOT / "scripts" / "serve", ROOT / "bench" / "servers.py"):
        assert "deploy/gunicorn.conf.py" in starter.read_text(), starter


class Worker:
    """What the hook reads of a gunicorn worker: how many requests it has served."""

    def __init__(self, requests_served: int):
        self.nr = requests_served


def test_a_worker_freezes_again_after_its_first_and_tenth_request_and_not_after_others(nothing_frozen):
    cfg = ConfigReader(CONFIG).cfg
    kept_by_the_first_request = [[n] for n in range(5_000)]  # noqa: F841 (alive, as a worker's caches are)

    cfg.post_request(Worker(1), None, {}, None)
    frozen = gc.get_freeze_count()
    assert frozen > 5_000

    kept_later = [[n] for n in range(5_000)]  # noqa: F841
    for served in (2, 3, 9, 11, 99):
        cfg.post_request(Worker(served), None, {}, None)
    assert gc.get_freeze_count() == frozen

    cfg.post_request(Worker(10), None, {}, None)
    assert gc.get_freeze_count() >= frozen + 5_000
