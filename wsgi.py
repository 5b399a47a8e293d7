"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`); PORTMEET_ENV picks the settings
(unset = production)."""
from config import config_from_environment
from portmeet import create_app
from portmeet.heap import freeze_when_warm

app = create_app(config_from_environment())
freeze_when_warm(app)
