"""Delegate registration pages and the manage side of registrations."""
from flask import Blueprint

bp = Blueprint("registration", __name__)
