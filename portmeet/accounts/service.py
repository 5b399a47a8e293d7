"""Account rules: creating users, signing in and out, passwords and their reset, a meeting's hosts."""
import secrets
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from portmeet import audit
from portmeet.accounts.models import MeetingRole, PasswordReset, User, normalize_email
from portmeet.accounts.passwords import burn_verification_time, needs_rehash
from portmeet.audit.models import AuditEntry
from portmeet.extensions import db
from portmeet.meetings.models import Meeting
from portmeet.registration.models import hash_token
from portmeet.timeutil import utcnow

MIN_PASSWORD_LENGTH = 8
# The account's owner is told by e-mail when this many sign-ins fail within FAILURE_WINDOW.
FAILURES_BEFORE_NOTICE = 5
FAILURE_WINDOW = timedelta(minutes=15)
RESETS_PER_HOUR = 3  # reset e-mails per account, whoever asks


class AccountError(ValueError):
    pass


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, name: str, password: str, organiser: bool = False) -> User:
    if find_user(email) is not None:
        raise AccountError(_("An account with the e-mail %(email)s already exists.", email=email))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password must have at least 8 characters."))
    user = User(email=normalize_email(email), name=name.strip(), is_organiser=organiser)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(None, "account.created", subject=user, details={"organiser": organiser})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account if the password is right, else None; both outcomes go to the audit trail.
    An unknown address costs the same hashing time as a wrong password. A right password upgrades a
    hash made with older parameters."""
    user = find_user(email)
    if user is None:
        burn_verification_time(password)
    if user is None or not user.check_password(password) or not user.active:
        audit.record(None, "account.sign_in_failed", user or audit.SYSTEM, subject=user,
                     details={"email": normalize_email(email)[:254]})
        if user is not None:
            _notice_repeated_failures(user)
        return None
    if needs_rehash(user.password_hash):
        user.set_password(password)
    audit.record(None, "account.signed_in", user, subject=user)
    return user


def _notice_repeated_failures(user: User) -> None:
    """Tell the owner once when failed sign-ins pile up: the throttle works per address and account, so
    their own sign-in still works, but they should know someone is trying."""
    db.session.flush()
    failures = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.kind == "account.sign_in_failed", AuditEntry.subject_type == "users",
        AuditEntry.subject_id == user.id, AuditEntry.created_at >= utcnow() - FAILURE_WINDOW))
    if failures == FAILURES_BEFORE_NOTICE:
        from portmeet.registration.mail import queue

        queue(user.email, _("portmeet: failed sign-ins to your account"),
              render_template("accounts/mail/failed_sign_ins.txt", user=user, failures=failures))


def sign_out(user: User) -> None:
    """End every session of the account (a copied cookie stops working too)."""
    user.end_sessions()
    audit.record(None, "account.signed_out", user, subject=user)
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError(_("Your current password is not right."))
    _set_new_password(user, new)
    audit.record(None, "account.password_changed", user, subject=user)


def _set_new_password(user: User, new: str) -> None:
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password must have at least 8 characters."))
    user.set_password(new)
    user.end_sessions()
    db.session.flush()


def deactivate(user: User) -> None:
    """The account can no longer sign in, and its sessions end."""
    user.active = False
    user.end_sessions()
    audit.record(None, "account.deactivated", subject=user)
    db.session.flush()


def request_password_reset(email: str) -> bool:
    """Mail a single-use reset link valid PASSWORD_RESET_HOURS to the active account with this address, at
    most RESETS_PER_HOUR an hour. Returns whether one was sent (the page never says)."""
    from portmeet.registration.mail import queue
    from portmeet.urls import external_url

    user = find_user(email)
    if user is None or not user.active:
        return False
    now = utcnow()
    recent = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at >= now - timedelta(hours=1)))
    if recent >= RESETS_PER_HOUR:
        return False
    token = secrets.token_urlsafe(32)
    hours = current_app.config.get("PASSWORD_RESET_HOURS", 1)
    db.session.add(PasswordReset(user_id=user.id, token_hash=hash_token(token), created_at=now,
                                 expires_at=now + timedelta(hours=hours)))
    queue(user.email, _("portmeet: reset your password"),
          render_template("accounts/mail/reset.txt", user=user, hours=hours,
                          link=external_url("accounts.reset_password_form", token=token)))
    db.session.flush()
    return True


def reset_by_token(token: str) -> PasswordReset | None:
    """The reset this link opens if it is unused and not expired."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == hash_token(token), PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > utcnow()))


def reset_password(reset: PasswordReset, new: str) -> User:
    """Set the new password; this link and every other outstanding one of the account stop working."""
    user = reset.user
    _set_new_password(user, new)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                   PasswordReset.used_at.is_(None)).values(used_at=utcnow()))
    audit.record(None, "account.password_reset", user, subject=user)
    db.session.flush()
    return user


def add_host(meeting: Meeting, email: str) -> User:
    user = find_user(email)
    if user is None:
        raise AccountError(_("No account has this e-mail address; create the account first."))
    if any(role.user_id == user.id for role in meeting.roles):
        raise AccountError(_("%(name)s already hosts this meeting.", name=user.name))
    meeting.roles.append(MeetingRole(user=user, role="host"))
    db.session.flush()
    audit.record(meeting, "host.added", subject=user)
    return user


def remove_host(meeting: Meeting, user_id: int) -> None:
    for role in list(meeting.roles):
        if role.user_id == user_id:
            meeting.roles.remove(role)
            audit.record(meeting, "host.removed", subject=role.user)
    db.session.flush()


def hosts_of(meeting: Meeting) -> list[User]:
    return sorted((role.user for role in meeting.roles), key=lambda u: u.name.lower())
