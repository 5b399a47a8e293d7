"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`)."""
import os

from config import Config, ProductionConfig
from portmeet import create_app

app = create_app(ProductionConfig if os.environ.get("PORTMEET_ENV") == "production" else Config)
