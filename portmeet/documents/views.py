"""Printed documents: badges, attendee lists, programme, itinerary, manifests."""
from flask import Blueprint

bp = Blueprint("documents", __name__)
