"""gunicorn's settings for the site's workers: ``gunicorn tracker.wsgi --config deploy/gunicorn.conf.py``.

Read by ``scripts/serve`` (make serve) and by the benchmark's server (``bench/servers.py``), so that both serve the
site the same way; their command lines still give the address, the workers and the timeouts.
"""

import gc


def post_worker_init(worker):
    """Put what the worker has loaded (Django, the app, their modules) out of the garbage collector's reach.

    A full collection walks every object alive; on an uncached matrix, collections walking the whole loaded
    application were up to 22% of the request (issue 18). Frozen objects are never walked again, so a collection
    costs what the request itself allocated. This runs once the application is loaded: ``post_fork`` comes before
    the worker imports it, when there is little to freeze. What the startup left as cyclic garbage is collected
    first, so that none of it is frozen for the worker's life.
    """
    gc.collect()
    gc.freeze()


# The requests after which the worker freezes again: its first ones compile the templates, load the translations and
# fill the caches it keeps for life (the wording of dates, the parsed span ids), all of which a collection would
# otherwise walk. On an uncached matrix, full collections came every two or three requests (an uncached page holds
# 15,000 objects across several younger collections) and walked those 70,000 objects in 30-40 ms; frozen after
# the first and the tenth request, they took 4-11 ms (issue 18). Spaced tenfold, so that the freezes, a full
# collection each, stay rare, and what is frozen is what the worker kept, not one request's garbage.
FREEZE_AFTER_REQUESTS = frozenset({1, 10, 100, 1000})


def post_request(worker, req, environ, resp):
    """After the worker's 1st, 10th, 100th and 1000th request, freeze what it holds (after collecting garbage)."""
    if worker.nr in FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()
