"""Rendered template fragments kept per worker process, for the parts of a page that only change with
its language and settings (the registration form's fields: 250 countries twice, the diets, the labels).

In a template: `{% call fragment(key) %}…{% endcall %}`. The key names everything the fragment's HTML
depends on; `None` renders afresh without caching (a form holding the delegate's data or errors). Keys
are built from the values themselves, so nothing needs to be invalidated: a changed setting is a new key.
Whole pages are kept the same way (`kept`: the registration form, registration/form_page.py).
"""
from collections import OrderedDict
from threading import Lock

from markupsafe import Markup

MAX_FRAGMENTS = 256

_fragments: "OrderedDict[tuple, object]" = OrderedDict()
_lock = Lock()


def kept(key: tuple, make):
    """What `make()` returns for this key, made once per process (the least recently used dropped past
    MAX_FRAGMENTS)."""
    with _lock:
        value = _fragments.get(key)
        if value is not None:
            _fragments.move_to_end(key)
            return value
    value = make()
    with _lock:
        _fragments[key] = value
        while len(_fragments) > MAX_FRAGMENTS:
            _fragments.popitem(last=False)
    return value


def fragment(key, caller) -> Markup:
    """The fragment rendered by `caller` (a Jinja call block) for this key, rendered once per process."""
    if key is None:
        return caller()
    return kept(("fragment", key), lambda: Markup(caller()))


def init_app(app) -> None:
    app.jinja_env.globals["fragment"] = fragment
