"""The dashboard's hooks into the meeting's manage page: its figures, charts, and links to the filtered table."""
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from portmeet.dashboard import svg
from portmeet.dashboard.service import Dashboard, meeting_dashboard
from portmeet.i18n import collation_key
from portmeet.labels import label
from portmeet.meetings.models import Meeting
from portmeet.template_helpers import localized_country_name

bp = Blueprint("dashboard", __name__)

REGISTRATIONS_ENDPOINT = "registration.manage_list"


@bp.app_template_global()
def registrations_url(slug: str, **filters) -> str:
    """The meeting's registrations table filtered by status, country, category, visit…"""
    params = {name: value for name, value in filters.items() if value not in (None, "")}
    if REGISTRATIONS_ENDPOINT in current_app.view_functions:
        return url_for(REGISTRATIONS_ENDPOINT, slug=slug, **params)
    # The table's module may not define it (yet); its address is part of the public contract.
    base = url_for("meetings.manage_meeting", slug=slug) + "registrations"
    return base + ("?" + urlencode(params) if params else "")


@dataclass
class DashboardPanel:
    figures: Dashboard
    countries: list[tuple[str, str, int]]  # (code, name in the page's language, confirmed)
    days_chart: Markup
    countries_chart: Markup
    categories_chart: Markup


@bp.app_template_global()
def dashboard_for(meeting: Meeting) -> DashboardPanel:
    """The figures and charts of the meeting's manage page, computed once per page.

    Called by templates/meetings/_manage_panels.html, so that the meetings view need not know of it."""
    figures = meeting_dashboard(meeting)
    slug = meeting.slug
    countries = sorted(((code, localized_country_name(code), number) for code, number in figures.by_country),
                       key=lambda row: (-row[2], collation_key(row[1])))
    return DashboardPanel(
        figures=figures,
        countries=countries,
        days_chart=svg.day_columns(
            figures.by_day, href=registrations_url(slug),
            title=_("%(num)d registrations since registration opened: new ones per day, and the running total",
                    num=figures.total),
        ),
        countries_chart=svg.horizontal_bars(
            [svg.Bar(name, number, registrations_url(slug, status="confirmed", country=code))
             for code, name, number in countries],
            title=_("Confirmed delegates by country"),
        ),
        categories_chart=svg.horizontal_bars(
            [svg.Bar(label(category), number,
                     registrations_url(slug, status="confirmed", category=category.value))
             for category, number in figures.by_category],
            title=_("Confirmed delegates by category"),
        ),
    )
