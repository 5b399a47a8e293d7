"""The caterer's figures: for each meal and social event, who eats, how many, and their dietary needs."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from portmeet.csv_export import csv_text
from portmeet.dietary import Diet, NeedCount, need_counts, summary
from portmeet.extensions import db
from portmeet.meetings.models import SIGN_UP_KINDS, Meeting, ProgrammeSession
from portmeet.registration.models import BookingStatus, Companion, Registration, RegistrationStatus, SessionSignup
from portmeet.template_helpers import format_time


@dataclass
class Diner:
    """One person at a meal: a delegate (or someone accompanying them), with their dietary needs."""

    registration_id: int
    first_name: str
    last_name: str
    organisation: str
    country: str
    diet_list: list[Diet] = field(default_factory=list)
    dietary: str = ""
    accompanying: bool = False  # an accompanying person rather than the delegate
    delegate: str = ""  # for an accompanying person: the delegate's name

    @property
    def has_dietary_needs(self) -> bool:
        return bool(self.diet_list or self.dietary.strip())

    @property
    def dietary_summary(self) -> str:
        return summary(self.diet_list, self.dietary)

    @property
    def sort_key(self) -> tuple:
        return (self.last_name.casefold(), self.first_name.casefold(), self.registration_id, self.accompanying)


def _delegate(registration: Registration) -> Diner:
    return Diner(registration.id, registration.first_name, registration.last_name, registration.organisation,
                 registration.country, registration.diet_list, registration.dietary or "")


def _companion(companion: Companion) -> Diner:
    return Diner(companion.registration_id, companion.first_name, companion.last_name, "", companion.country,
                 companion.diet_list, companion.dietary or "", accompanying=True,
                 delegate=companion.registration.full_name)


def meal_diners(meeting: Meeting) -> list[tuple[ProgrammeSession, list[Diner]]]:
    """Each meal and social event of the meeting in time order, with who eats there, by name: the
    booked sign-ups of an event that takes them (delegates and the persons accompanying them), else
    every confirmed delegate (accompanying persons come to the events they signed up for). Four queries
    whatever the number of events."""
    meals = [session for session in meeting.sessions if session.kind in SIGN_UP_KINDS]
    if not meals:
        return []
    confirmed = db.session.scalars(select(Registration).where(
        Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.confirmed,
    ).order_by(func.lower(Registration.last_name), func.lower(Registration.first_name), Registration.id)).all()
    delegates = {registration.id: _delegate(registration) for registration in confirmed}
    with_places = [meal.id for meal in meals if meal.capacity is not None]
    booked: dict[int, list[Diner]] = {meal_id: [] for meal_id in with_places}
    if with_places:
        rows = db.session.execute(
            select(SessionSignup.session_id, SessionSignup.registration_id, SessionSignup.companion_id)
            .where(SessionSignup.session_id.in_(with_places), SessionSignup.status == BookingStatus.booked)
        ).all()
        companions = {}
        if any(companion_id is not None for _session_id, _registration_id, companion_id in rows):
            companions = {companion.id: _companion(companion) for companion in db.session.scalars(
                select(Companion).join(Registration, Registration.id == Companion.registration_id)
                .options(contains_eager(Companion.registration))
                .where(Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.confirmed))}
        for session_id, registration_id, companion_id in rows:
            if registration_id not in delegates:  # a booked place belongs to a confirmed delegate's party
                continue
            booked[session_id].append(delegates[registration_id] if companion_id is None else companions[companion_id])
    everyone = list(delegates.values())
    return [(meal, sorted(booked[meal.id], key=lambda d: d.sort_key) if meal.id in booked else everyone)
            for meal in meals]


@dataclass
class MealCount:
    """One event on the caterer's list."""

    session: ProgrammeSession
    diners: list[Diner]

    @property
    def count(self) -> int:
        return len(self.diners)

    @property
    def with_sign_up(self) -> bool:
        return self.session.capacity is not None

    @property
    def needs(self) -> list[NeedCount]:
        return need_counts(self.diners)

    @property
    def with_needs(self) -> list[Diner]:
        return [diner for diner in self.diners if diner.has_dietary_needs]

    @property
    def without_needs(self) -> int:
        return self.count - len(self.with_needs)


def catering(meeting: Meeting) -> list[MealCount]:
    return [MealCount(session, diners) for session, diners in meal_diners(meeting)]


CSV_COLUMNS = ("event", "kind", "day", "start", "end", "room", "places", "line", "dietary need", "count",
               "last name", "first name", "organisation", "country", "accompanying", "dietary needs")


def catering_csv(meals: list[MealCount]) -> str:
    """One spreadsheet for the caterer, three kinds of line per event (column `line`): `total` (how
    many eat), `need` (how many have each need), `person` (each person with needs, and which)."""
    rows = []
    for meal in meals:
        session = meal.session
        event = [session.title, session.kind.value, session.day.isoformat(), format_time(session.start_time),
                 format_time(session.end_time), session.room,
                 "" if session.capacity is None else session.capacity]
        rows.append([*event, "total", "", meal.count, "", "", "", "", "", ""])
        for need in meal.needs:
            rows.append([*event, "need", need.text, need.count, "", "", "", "", "", ""])
        for diner in meal.with_needs:
            rows.append([*event, "person", "", "", diner.last_name, diner.first_name, diner.organisation,
                         diner.country, diner.delegate if diner.accompanying else "no", diner.dietary_summary])
    return csv_text(CSV_COLUMNS, rows)
