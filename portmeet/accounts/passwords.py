"""Password hashing: argon2id at OWASP's parameters, older hashes still accepted and upgraded at sign-in."""
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB of memory, 2 iterations, 1 lane (its minimum
# configuration, ~80 ms here).
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)  # Werkzeug's scrypt/pbkdf2 of the first accounts
    except ValueError:
        return False


def needs_rehash(stored: str) -> bool:
    """True for a hash made with weaker or other parameters: rehashed at the next successful sign-in."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("portmeet: no such account")


def burn_verification_time(password: str) -> None:
    """Check a password against a dummy hash, so that an unknown e-mail takes as long as a wrong password
    and the sign-in time does not tell which addresses have accounts."""
    verify_password(_dummy_hash(), password)
