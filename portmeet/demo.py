"""The demo meeting: a two-day Citizen Port Meeting in Valencia, dated a few weeks ahead."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select

from portmeet.accounts import service as accounts
from portmeet.extensions import db
from portmeet.meetings import service as meetings
from portmeet.meetings.models import Meeting
from portmeet.registration import service as registrations
from portmeet.registration.models import OutboxMessage
from portmeet.timeutil import utcnow

DEMO_SLUG = "citizen-port-meeting-valencia"
DEMO_ORGANISER = ("organiser@portmeet.example", "Demo Organiser", "portmeet-demo")

SESSIONS = [
    # (day index, start, end, kind, room, title, speakers)
    (0, "08:30", "09:15", "break", "Foyer", "Welcome coffee and registration", []),
    (0, "09:15", "10:00", "plenary", "Auditorium", "Opening: the port and its city",
     ["Marta Ferrer, Valenciaport, ES", "Jean-Luc Dubois, AIVP, FR"]),
    (0, "10:00", "11:30", "plenary", "Auditorium", "Citizens and port projects: how to build trust",
     ["Pieter Janssens, Port of Antwerp-Bruges, BE", "Giulia Rossi, Porto di Genova, IT", "Noa Levi, Ashdod Port, IL"]),
    (0, "11:30", "12:00", "break", "Foyer", "Coffee break", []),
    (0, "12:00", "13:00", "debate", "Auditorium", "Debate: port centres as a window on the port",
     ["Iñaki Etxeberria, Bilbao Port Authority, ES", "Claire Martin, Le Havre Port Center, FR"]),
    (0, "13:00", "14:30", "meal", "Terrace", "Lunch", []),
    (1, "09:00", "10:30", "workshop", "Room A", "Workshop: schools and the port",
     ["Ana Costa, Porto de Leixões, PT", "Eleni Papadopoulou, Piraeus Port Authority, GR"]),
    (1, "09:00", "10:30", "workshop", "Room B", "Workshop: noise, light and neighbours",
     ["Jan de Vries, Port of Rotterdam, NL"]),
    (1, "11:00", "12:30", "plenary", "Auditorium", "Conclusions and the next Citizen Port Meeting",
     ["Marta Ferrer, Valenciaport, ES"]),
    (1, "20:00", "22:30", "social", "Veles e Vents", "Farewell dinner by the marina", []),
]

# Meals and social events that take sign-ups, with their places; the lunch has none: everyone is counted.
SIGN_UP_PLACES = {"Farewell dinner by the marina": 20}
# Who does not come to the dinner (indexes in DELEGATES): one more than its places are left, so one waits.
NOT_AT_DINNER = {1, 21}

VISITS = [
    # (day index, start, end, title, meeting point, transport, places, requires_id)
    (0, "15:00", "17:30", "Boat tour of the port area", "Moll de la Duana, pier 3", "boat", 30, True),
    (0, "15:00", "17:00", "Valencia Port Center", "Main entrance, Edificio del Reloj", "walk", 25, False),
    (1, "14:00", "16:30", "Container terminal and port community system", "Hotel lobby", "bus", 20, True),
    (1, "14:30", "16:30", "Maritime museum and port archives", "Edificio del Reloj", "walk", 40, False),
]


DELEGATES = [
    # (first name, last name, organisation, country, category, visit indexes, dietary, accessibility)
    ("Marta", "Ferrer", "Valenciaport", "ES", "host", (), "", ""),
    ("Jean-Luc", "Dubois", "AIVP", "FR", "organiser", (0,), "", ""),
    ("Pieter", "Janssens", "Port of Antwerp-Bruges", "BE", "speaker", (0, 2), "", ""),
    ("Giulia", "Rossi", "Porto di Genova", "IT", "speaker", (1, 3), "vegetarian", ""),
    ("נועה", "לוי", "Ashdod Port", "IL", "speaker", (0,), "kosher", ""),
    ("Iñaki", "Etxeberria", "Bilbao Port Authority", "ES", "speaker", (1,), "", ""),
    ("Claire", "Martin", "Le Havre Port Center", "FR", "speaker", (0, 3), "", "wheelchair user"),
    ("Ana", "Costa", "Porto de Leixões", "PT", "speaker", (1,), "", ""),
    ("Ελένη", "Παπαδοπούλου", "Piraeus Port Authority", "GR", "speaker", (0, 2), "no pork", ""),
    ("Jan", "de Vries", "Port of Rotterdam", "NL", "speaker", (3,), "", ""),
    ("Sophie", "Lambert", "Ville du Havre", "FR", "delegate", (1, 2), "", ""),
    ("Karim", "Benali", "Port de Tanger Med", "MA", "delegate", (0,), "halal", ""),
    ("ليلى", "حداد", "Port of Tanger Med", "MA", "delegate", (1,), "halal", ""),
    ("Lucía", "Navarro", "Universitat de València", "ES", "delegate", (1, 3), "", ""),
    ("Matteo", "Bianchi", "Comune di Genova", "IT", "delegate", (0, 3), "gluten-free", ""),
    ("Anneke", "Peeters", "Port Center Antwerp", "BE", "delegate", (1,), "", "hearing loop"),
    ("Олена", "Коваленко", "Port of Odesa", "UA", "delegate", (0,), "", ""),
    ("Pedro", "Almeida", "APDL Leixões", "PT", "delegate", (2,), "", ""),
    ("Yael", "Cohen", "Haifa Port", "IL", "delegate", (1, 2), "kosher", ""),
    ("Nikos", "Georgiou", "Thessaloniki Port Authority", "GR", "delegate", (0,), "", ""),
    ("Léa", "Moreau", "Ouest-France", "FR", "press", (1,), "", ""),
    ("Carlos", "Ruiz", "Levante-EMV", "ES", "press", (), "", ""),
    ("Emma", "de Jong", "Port of Rotterdam", "NL", "accompanying", (3,), "vegan", ""),
]


def _t(text: str) -> time:
    return time.fromisoformat(text)


def load_demo() -> tuple[Meeting, bool]:
    """Create the demo organiser and meeting unless they exist; returns (meeting, created)."""
    email, name, password = DEMO_ORGANISER
    if accounts.find_user(email) is None:
        accounts.create_user(email, name, password, organiser=True)
    existing = db.session.scalar(select(Meeting).where(Meeting.slug == DEMO_SLUG))
    if existing is not None:
        return existing, False

    today = utcnow().date()
    start = today + timedelta(days=56 + (3 - today.weekday()) % 7)  # a Thursday about eight weeks ahead
    end = start + timedelta(days=1)
    meeting = meetings.create_meeting({
        "title": "Citizen Port Meeting Valencia",
        "edition": 8,
        "slug": DEMO_SLUG,
        "city": "Valencia",
        "country": "ES",
        "venue": "Edificio del Reloj, Valenciaport",
        "start_date": start,
        "end_date": end,
        "timezone": "Europe/Madrid",
        "description": (
            "Two days of presentations, debates and field visits on how port cities talk with their "
            "citizens: port centres, schools, neighbours and the projects that change the waterfront."
        ),
        "host_organisation": "Valenciaport – Port Authority of Valencia",
        "partners": "AIVP, the worldwide network of port cities",
        "contact_email": "citizenport@valenciaport.example",
        "registration_opens": datetime.combine(today - timedelta(days=14), time(9, 0)),
        "registration_closes": datetime.combine(start - timedelta(days=3), time(23, 59)),
        "capacity": 80,
        "status": "published",
    })
    for day, start_t, end_t, kind, room, title, speakers in SESSIONS:
        meetings.save_session(
            meeting,
            {"day": meeting.days[day], "start_time": _t(start_t), "end_time": _t(end_t), "title": title,
             "kind": kind, "room": room, "description": "", "capacity": SIGN_UP_PLACES.get(title)},
            meetings.parse_speakers("\n".join(speakers)),
        )
    for day, start_t, end_t, title, point, transport, places, requires_id in VISITS:
        meetings.save_visit(meeting, {
            "title": title, "description": "", "day": meeting.days[day], "start_time": _t(start_t),
            "end_time": _t(end_t), "meeting_point": point, "transport": transport, "capacity": places,
            "requires_id": requires_id, "id_deadline": start - timedelta(days=7) if requires_id else None,
        })
    _register_delegates(meeting)
    return meeting, True


def _register_delegates(meeting: Meeting) -> None:
    """Delegates from ten countries and five scripts, so that badges, lists and the dashboard show something."""
    visits = meeting.visits
    dinners = [session.id for session in meeting.sessions if session.title in SIGN_UP_PLACES]
    for n, (first, last, organisation, country, category, picks, dietary, accessibility) in enumerate(DELEGATES):
        data = {
            "first_name": first, "last_name": last, "badge_name": "", "email": f"delegate{n + 1}@demo.example",
            "organisation": organisation, "job_title": "", "country": country, "phone": "",
            "category": category, "dietary": dietary, "accessibility": accessibility, "consent_list": n % 5 != 4,
            "visits": [visits[i].id for i in picks], "signups": [] if n in NOT_AT_DINNER else dinners,
        }
        if any(visits[i].requires_id for i in picks):
            data.update(nationality=country, id_number=f"DEMO{n + 1:05d}", date_of_birth=date(1970 + n, 1 + n % 12, 10))
        registration, _token = registrations.register(meeting, data)
        # Spread over the fortnight since registration opened, in order, so the dashboard's chart has days.
        registration.created_at = utcnow() - timedelta(days=13 - 13 * n // len(DELEGATES), hours=n % 7)
    # The demo's delegates are fictitious: their confirmation e-mails are not sent.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like("%@demo.example")))
