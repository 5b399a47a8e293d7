"""Audit trail: who did what to a meeting, and when (sign-ins, registrations, exports, ID data, programme).

Usage, from a service function (never from a template), in the same transaction as the change:

    from portmeet import audit

    audit.record(meeting, "registration.cancelled", audit.DELEGATE, subject=registration,
                 details={"by": "delegate"})
    audit.record(meeting, "visit.changed", subject=visit, details={"fields": ["capacity"]})

- `actor`: a User, or `audit.DELEGATE` (the delegate through their private link), `audit.DESK`
  (the check-in desk), `audit.SYSTEM` (a command such as send-reminders); left out, it is the
  signed-in account of the request, else SYSTEM.
- `subject`: the model instance the entry is about (registration, visit, session, user…); its type,
  id and a short label are kept, so the entry survives the subject's deletion.
- `details`: a small JSON-able dict. Never put ID values, tokens or passwords in it: keys named like
  them are dropped (name the fields that changed, not their values).
- `kind`: "<thing>.<what happened>"; the known kinds and their labels are in `audit.kinds.KINDS`
  (add yours there so the activity page can filter and name it).

`/manage/meetings/<slug>/activity` lists a meeting's entries (paged, filter by kind);
`audit.history_of(subject)` gives one subject's entries (a registration's staff page shows them).
"""
from portmeet.audit.service import DELEGATE, DESK, SYSTEM, history_of, record  # noqa: F401
