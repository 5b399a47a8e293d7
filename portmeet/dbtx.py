"""SQLite transactions: reads deferred, writes immediate.

SQLite has one write lock for the whole database. A GET or HEAD request starts its transaction deferred
(BEGIN): reads never wait for, nor hold up, a writer. Every other request starts BEGIN IMMEDIATE, so
writers queue on the lock instead of failing half-way. A GET that must write (the audit entry of an
export, a link's last use) calls `writing()` first: its read transaction ends and the next one takes the
write lock from the start. PostgreSQL needs none of this (`writing()` does nothing there).
"""
from flask import g, has_request_context, request

from portmeet.extensions import db

READ_METHODS = ("GET", "HEAD")


def begin_statement() -> str:
    if has_request_context() and request.method in READ_METHODS and not g.get("portmeet_writing"):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def writing() -> None:
    """Before a read request writes: the next transaction takes SQLite's write lock when it begins."""
    if not has_request_context() or request.method not in READ_METHODS or g.get("portmeet_writing") \
            or db.engine.dialect.name != "sqlite":
        return
    db.session.commit()  # ends the deferred read transaction (a GET has nothing pending)
    g.portmeet_writing = True


def commit_keeping_objects() -> None:
    """Commit without expiring the session's objects: what was just written is what they hold, so the work
    after the commit (the page's message after a registration) reads them without loading
    each one again. Only where nothing else may have changed them in between."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
