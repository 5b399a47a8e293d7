"""Error pages in the site's layout; a failed request rolls its transaction back."""
from flask import Flask, has_request_context, render_template
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from portmeet.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Forbidden"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("There is nothing at this address.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (_l("Too many requests"), _l("Too many attempts; please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Nothing was half-saved; please try again.")),
    503: (_l("Service unavailable"), _l("The service is briefly unavailable; please try again in a moment.")),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, (_l("Error"), _l("An error occurred.")))
    if has_request_context() and request_ctx.url_adapter is None:
        # A Host header outside TRUSTED_HOSTS: no URL may be built for this request, so no page either.
        return f"{code} {title}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def register_error_handlers(app: Flask) -> None:
    def http_error(error):
        return render_error(error.code)

    for code in (400, 403, 404, 405, 413, 429, 503):
        app.register_error_handler(code, http_error)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("The form had expired or was not sent from this site. "
                                    "Please go back, reload and try again."))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        # A dropped connection or a lock timeout: the transaction is lost, the pool reconnects on the next request.
        app.logger.error("Database unavailable: %s", error, exc_info=error)
        db.session.rollback()
        return render_error(503)

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return render_error(500)
