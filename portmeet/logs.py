"""Access logs without private links: the token in /registrations/<token>… and /reset-password/<token> is
replaced before a line is written, by gunicorn (gunicorn.conf.py) and by the development server."""
import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

PRIVATE_PATH = re.compile(r"(/registrations/|/reset-password/)[^/?#\s\"]{16,}")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    return PRIVATE_PATH.sub(REDACTED, text)


class RedactPrivateLinks(logging.Filter):
    """For Python loggers (werkzeug's request log): rewrites the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's access log with the private part of a path replaced (request line, path, referer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "q"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


def init_app(app) -> None:
    logging.getLogger("werkzeug").addFilter(RedactPrivateLinks())
