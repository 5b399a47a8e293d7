"""Account rules: creating users, giving and taking a meeting's host role."""
from flask_babel import gettext as _
from sqlalchemy import select

from portmeet import audit
from portmeet.accounts.models import MeetingRole, User, normalize_email
from portmeet.extensions import db
from portmeet.meetings.models import Meeting


class AccountError(ValueError):
    pass


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, name: str, password: str, organiser: bool = False) -> User:
    if find_user(email) is not None:
        raise AccountError(_("An account with the e-mail %(email)s already exists.", email=email))
    if len(password) < 8:
        raise AccountError(_("The password must have at least 8 characters."))
    user = User(email=normalize_email(email), name=name.strip(), is_organiser=organiser)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(None, "account.created", subject=user, details={"organiser": organiser})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account if the password is right, else None; both outcomes go to the audit trail."""
    user = find_user(email)
    if user is None or not user.check_password(password):
        audit.record(None, "account.sign_in_failed", user or audit.SYSTEM, subject=user,
                     details={"email": normalize_email(email)[:254]})
        return None
    audit.record(None, "account.signed_in", user, subject=user)
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
