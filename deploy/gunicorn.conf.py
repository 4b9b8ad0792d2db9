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
