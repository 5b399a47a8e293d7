"""Uploaded files (slides, letterhead images): kept under PORTMEET_UPLOAD_DIR, never in the static folder.

Files get random names, so no name typed by a user ever reaches the file system. A file written during
a request is removed again if its transaction rolls back, and a replaced file only once the change is
committed, so the database never points at a missing file.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Request, current_app
from sqlalchemy import event

from portmeet.extensions import db

MB = 1024 * 1024
# Routes that accept an upload, with the largest request each may send (the file plus the form around it);
# every other route keeps the app's small MAX_CONTENT_LENGTH.
UPLOAD_LIMITS = {
    "meetings.edit_session": 21 * MB,
    "letters.letterhead": 3 * MB,
}


class UploadAwareRequest(Request):
    """A request whose size limit is raised for the upload routes only (known once the URL is matched,
    before anything reads the body, CSRF check included)."""

    @property
    def max_content_length(self) -> int | None:
        limit = UPLOAD_LIMITS.get(self.endpoint or "")
        return limit if limit is not None else super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.fset(self, value)


def init_app(app: Flask) -> None:
    app.request_class = UploadAwareRequest


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads")
    path = Path(configured)
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(name: str | None) -> Path | None:
    """The stored file of this name, if it exists (names are ours: letters, digits, one dot)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = upload_dir() / name
    return path if path.is_file() else None


def read(name: str | None) -> bytes | None:
    path = path_of(name)
    return path.read_bytes() if path is not None else None


def store(data: bytes, suffix: str) -> str:
    """Write the bytes under a new random name; removed again if the transaction rolls back."""
    name = f"{secrets.token_hex(16)}.{suffix}"
    target = upload_dir() / name
    partial = target.with_name(name + ".part")
    partial.write_bytes(data)
    os.replace(partial, target)  # never a half-written file under a name the database knows
    state = {"committed": False}

    def committed(_session) -> None:
        state["committed"] = True

    def rolled_back(_session, _previous) -> None:
        if not state["committed"]:
            _remove(target)

    session = db.session()
    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)
    return name


def discard(name: str | None) -> None:
    """Remove a stored file once the change that dropped it is committed."""
    if not name:
        return
    path = upload_dir() / name
    event.listen(db.session(), "after_commit", lambda *_: _remove(path), once=True)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
