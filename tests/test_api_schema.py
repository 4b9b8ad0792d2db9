"""schemathesis against the API's own OpenAPI document: every endpoint, generated inputs (issue 8).

Each operation gets a modest number of generated requests, valid and invalid, on a small record
made by the builders; every response must be a documented status with a body matching the schema,
and never a 5xx.
"""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.builders import make_event, make_instrument, make_six_states, make_source
from tracker.models import Event, Instrument
from tracker.wsgi import application

CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                # A filter naming a state, instrument or source that does not exist is a bad parameter (400),
                # as on the events page, though its value matches the slug pattern the schema gives (and so for search).
                "include-path-regex": "^/api/(events|status|search)$",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400"]}},
            }
        ]
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)


@pytest.fixture
def requests_keep_the_test_transaction():
    # schemathesis calls the real WSGI application, whose request signals close "old" database
    # connections; inside a test's transaction that closes the test's own connection (PostgreSQL).
    # Django's test client disconnects the same handler for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def small_record(db, requests_keep_the_test_transaction):
    states = make_six_states()
    protocol = make_instrument(
        slug="protocol", eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=2
    )
    source = make_source(slug="statement", date=datetime.date(2023, 5, 18))
    make_event(instrument=protocol, state=states["BLR"], source=source)
    make_event(instrument=protocol, state=states["KAZ"], source=source, inferred=True)
    make_event(
        instrument=protocol,
        source=source,
        type=Event.Type.SIGNED,
        precision=Event.Precision.YEAR,
        date=datetime.date(2022, 1, 1),
    )


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    # The record is read-only for the API, so one per operation serves every generated request.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_endpoint_answers_as_its_schema_says_and_never_with_a_server_error(case, small_record):
    # schemathesis asks for gzip, as an HTTP client does, but its WSGI transport does not decompress the
    # answer as one would; the site compresses responses (tracker/compression.py), so ask for them plain.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
