"""Private links written into e-mails sent after registering (promotions, notices, reminders).

Only the hash of a delegate's private token is stored, so a later e-mail cannot repeat the token.
It carries instead a link signed with the SECRET_KEY over the registration's id and its current token
hash: unguessable without the key, nothing more stored, and revoked with every other link when the
delegate asks for a new one (that changes the hash). It opens the same pages as the token.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app

from portmeet.extensions import db
from portmeet.registration.models import Registration

_SIGNATURE_LENGTH = 43  # a SHA-256 HMAC in unpadded base64url
_MAX_ID_DIGITS = 12


def _signature(registration_id: int, token_hash: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"portmeet-private-link:{registration_id}:{token_hash}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed_token(registration: Registration) -> str:
    """A private-link token for an e-mail: the signature, then the registration id in hex."""
    return _signature(registration.id, registration.token_hash) + format(registration.id, "x")


def registration_by_signed_token(token: str) -> Registration | None:
    """The registration a signed token names, while its private link has not been replaced."""
    signature, hex_id = token[:_SIGNATURE_LENGTH], token[_SIGNATURE_LENGTH:]
    if not hex_id or len(hex_id) > _MAX_ID_DIGITS or any(c not in "0123456789abcdef" for c in hex_id):
        return None
    registration = db.session.get(Registration, int(hex_id, 16))
    if registration is None or not hmac.compare_digest(signature, _signature(registration.id, registration.token_hash)):
        return None
    return registration
