"""The kinds of audit entries and how the activity page names them."""
from flask_babel import lazy_gettext as _l

KINDS = {
    "account.signed_in": _l("Signed in"),
    "account.sign_in_failed": _l("Sign-in failed"),
    "account.signed_out": _l("Signed out"),
    "account.created": _l("Account created"),
    "account.password_changed": _l("Password changed"),
    "account.password_reset": _l("Password reset"),
    "account.deactivated": _l("Account deactivated"),
    "host.added": _l("Host added"),
    "host.removed": _l("Host removed"),
    "meeting.created": _l("Meeting created"),
    "meeting.changed": _l("Meeting changed"),
    "session.created": _l("Session added"),
    "session.changed": _l("Session changed"),
    "session.deleted": _l("Session deleted"),
    "visit.created": _l("Field visit added"),
    "visit.changed": _l("Field visit changed"),
    "visit.deleted": _l("Field visit deleted"),
    "registration.created": _l("Registration created"),
    "registration.changed": _l("Registration changed"),
    "registration.cancelled": _l("Registration cancelled"),
    "registration.promoted": _l("Registration promoted from the waiting list"),
    "registration.visit_promoted": _l("Field visit place given from the waiting list"),
    "registration.link_sent": _l("Private link sent"),
    "registration.link_revoked": _l("Private link revoked"),
    "checkin.arrived": _l("Checked in"),
    "checkin.undone": _l("Check-in undone"),
    "export.registrations_csv": _l("Registrations exported (CSV)"),
    "export.attendees": _l("Attendee list exported"),
    "export.badges": _l("Badges printed"),
    "export.manifest": _l("Visit manifest exported"),
    "id_data.viewed": _l("ID data viewed"),
    "id_data.cleared": _l("ID data cleared"),
    "id_data.purged": _l("ID data purged"),
    "visa_letter.approved": _l("Visa letter approved"),
    "visa_letter.declined": _l("Visa letter declined"),
    "visa_letter.previewed": _l("Visa letter seen by staff"),
    "visa_letter.downloaded": _l("Visa letter downloaded"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))
