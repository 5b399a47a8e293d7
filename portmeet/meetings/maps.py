"""Finding meeting points: coordinates turned into an OpenStreetMap link (the server fetches no map)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
from wtforms.validators import NumberRange, Optional

OSM_ZOOM = 17


def osm_url(latitude, longitude) -> str | None:
    """A link to the point on openstreetmap.org with a marker; None without coordinates."""
    if latitude is None or longitude is None:
        return None
    lat, lon = f"{float(latitude):.6f}", f"{float(longitude):.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={OSM_ZOOM}/{lat}/{lon}"


def latitude_field(label) -> DecimalField:
    return DecimalField(label, places=6, validators=[Optional(), NumberRange(
        min=-90, max=90, message=_l("A latitude is a number between -90 and 90 (e.g. 39.4445)."))],
        description=_l("Decimal degrees, e.g. 39.4445; right-click the point on openstreetmap.org and choose "
                       "“Show address” to read them."))


def longitude_field(label) -> DecimalField:
    return DecimalField(label, places=6, validators=[Optional(), NumberRange(
        min=-180, max=180, message=_l("A longitude is a number between -180 and 180 (e.g. -0.3240)."))])


def check_pair(latitude, longitude) -> bool:
    """Both coordinates or neither (one alone places nothing on a map); adds the error to the form."""
    if latitude.errors or longitude.errors or (latitude.data is None) == (longitude.data is None):
        return True
    missing = longitude if longitude.data is None else latitude
    missing.errors = [*missing.errors, str(_l("Give both the latitude and the longitude, or neither."))]
    return False


def init_app(app: Flask) -> None:
    app.jinja_env.globals["osm_url"] = osm_url
