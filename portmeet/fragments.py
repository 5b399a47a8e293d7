"""Rendered template fragments kept per worker process, for the parts of a page that only change with
its language and settings (the registration form's fields: 250 countries twice, the diets, the labels).

In a template: `{% call fragment(key) %}…{% endcall %}`. The key names everything the fragment's HTML
depends on; `None` renders afresh without caching (a form holding the delegate's data or errors). Keys
are built from the values themselves, so nothing needs to be invalidated: a changed setting is a new key.
"""
from collections import OrderedDict
from threading import Lock

from markupsafe import Markup

MAX_FRAGMENTS = 256

_fragments: "OrderedDict[tuple, Markup]" = OrderedDict()
_lock = Lock()


def fragment(key, caller) -> Markup:
    """The fragment rendered by `caller` (a Jinja call block) for this key, rendered once per process."""
    if key is None:
        return caller()
    with _lock:
        html = _fragments.get(key)
        if html is not None:
            _fragments.move_to_end(key)
            return html
    html = Markup(caller())
    with _lock:
        _fragments[key] = html
        while len(_fragments) > MAX_FRAGMENTS:
            _fragments.popitem(last=False)
    return html


def init_app(app) -> None:
    app.jinja_env.globals["fragment"] = fragment
