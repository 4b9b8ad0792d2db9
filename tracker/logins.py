"""Which failed staff logins django-axes counts together before it locks a login out (issue 17, item 7).

Counting failures per (username, address) alone let a guesser spread over many addresses guess for ever (80 wrong
guesses from 20 addresses, then the right password got in). Counting per username alone lets anyone lock a real
editor out. So failures are counted both ways, except at an address the editor has signed in from before: there
only the editor's own failures count, and a stranger elsewhere cannot lock them out. Failures made while locked
out are not counted (settings: AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so a lockout always ends one
cool-off after the failure that caused it, however long the guessing goes on.
"""

import datetime

from axes.helpers import get_client_username
from axes.models import AccessBase, AccessLog
from django.utils import timezone

# An address the editor signed in from within this many days is "theirs".
KNOWN_ADDRESS_DAYS = 90

PER_ADDRESS = ["username", "ip_address"]
PER_USERNAME = "username"


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """AXES_LOCKOUT_PARAMETERS: per username and address always, per username too unless the address is known."""
    if isinstance(request_or_attempt, AccessBase):
        username, address = request_or_attempt.username, request_or_attempt.ip_address
    else:
        username = get_client_username(request_or_attempt, credentials)
        address = getattr(request_or_attempt, "axes_ip_address", None)
    if username and address and has_signed_in_from(username, address):
        return [PER_ADDRESS]
    return [PER_ADDRESS, PER_USERNAME]


def has_signed_in_from(username: str, address: str) -> bool:
    since = timezone.now() - datetime.timedelta(days=KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(username=username, ip_address=address, attempt_time__gte=since).exists()
