import pytest

from tests.builders import make_six_states


@pytest.fixture
def six_states(db):
    return make_six_states()
