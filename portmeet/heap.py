"""A served process's long-lived objects kept out of the cyclic garbage collector's full scans.

A worker holds half a million objects that live as long as it does (the app, SQLAlchemy's mappers and
statement caches, compiled templates, catalogues). Each full collection scans them all: 55-100 ms, every
200 requests or so of the registration path, a stall for every request queued on that worker. Once the
worker is warm, gc.freeze() moves them into a generation the collector never scans; full collections
then take 1-3 ms. Only for a served app (wsgi.py): objects frozen are never freed, so an app made and
dropped again (the tests make one per test) must not freeze them.
"""
from __future__ import annotations

import gc

from flask import Flask, Response

# Freezing again after a few requests more takes in what later requests build once (templates compiled on
# first use, cached statements); each time after a collection, so that no garbage is frozen with them.
FREEZE_AFTER_REQUESTS = (1, 10, 100)


def freeze_when_warm(app: Flask) -> None:
    served = 0

    def count_and_freeze() -> None:
        nonlocal served
        served += 1
        if served in FREEZE_AFTER_REQUESTS:
            gc.collect()
            gc.freeze()

    @app.after_request
    def _freeze_when_warm(response: Response) -> Response:
        # Once the response is sent, not before. (A static file handed to the server's file wrapper is never
        # closed through Flask, so it is not counted.)
        response.call_on_close(count_and_freeze)
        return response
