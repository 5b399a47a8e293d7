"""Setting up what a browser test needs straight in its live server's database, through the app's own
services (the same rules as its pages), when clicking through those pages is what another test proves."""
from contextlib import contextmanager

from config import TestConfig
from portmeet import create_app
from portmeet.extensions import db


@contextmanager
def served_database(live_server):
    """An app context on the live server's SQLite file; committed when the block ends without error."""
    config = type("SeedConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{live_server.database}"})
    app = create_app(config)
    with app.app_context():
        try:
            yield
            db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()
