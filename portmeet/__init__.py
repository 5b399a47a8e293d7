"""portmeet: registration and logistics of small port-city workshops."""
import os

from flask import Flask
from werkzeug.routing import IntegerConverter
from sqlalchemy import event

from portmeet import uploads
from portmeet.extensions import csrf, db, login_manager, migrate


def create_app(config_class: type | None = None) -> Flask:
    """The app with the given settings; without any, those PORTMEET_ENV names (unset = production)."""
    if config_class is None:
        from config import config_from_environment

        config_class = config_from_environment()
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    # Ids in URLs stop at the largest database integer: /registrations/99999999999999999999 is a 404, not
    # an overflow in the database driver (a 500).
    app.url_map.converters["int"] = BoundedInt
    app.config.from_object(config_class)
    from portmeet import security, urls

    security.check_secret_key(app)  # before anything signs or serves
    from portmeet import logs

    logs.init_app(app)
    urls.init_app(app)
    uploads.init_app(app)  # larger requests on the upload routes only
    os.makedirs(app.instance_path, exist_ok=True)  # the default SQLite file lives there

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    from portmeet.accounts import sessions

    sessions.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        _configure_sqlite(db.engine)
        _configure_postgresql(db.engine, app.config["LOCK_TIMEOUT_MS"])

    from portmeet import fragments, i18n, language_choice, security, template_helpers
    from portmeet.accounts.views import bp as accounts_bp
    from portmeet.errors import register_error_handlers
    from portmeet.meetings import maps, versions  # noqa: F401 (versions: its listener bumps content versions)
    from portmeet.meetings.views import bp as meetings_bp

    template_helpers.init_app(app)
    fragments.init_app(app)
    maps.init_app(app)
    from portmeet.forms_common import refuse_control_characters_in_text_fields

    refuse_control_characters_in_text_fields()
    i18n.init_app(app)
    app.register_blueprint(language_choice.bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(meetings_bp)
    _register_optional_blueprints(app)
    register_error_handlers(app)
    from portmeet.registration.outbox import show_mail_in_console

    show_mail_in_console(app)
    security.init_app(app)  # after the blueprints: it wraps the throttled views

    from portmeet.cli import register_commands

    register_commands(app)
    return app


class BoundedInt(IntegerConverter):
    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1,
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _register_optional_blueprints(app: Flask) -> None:
    """Blueprints of the registration and documents modules, registered in a fixed order."""
    from portmeet.registration.views import bp as registration_bp
    from portmeet.registration import companion_views  # noqa: F401 — its routes join the registration blueprint
    from portmeet.documents.views import bp as documents_bp
    from portmeet.checkin.views import bp as checkin_bp
    from portmeet.dashboard.views import bp as dashboard_bp
    from portmeet.audit.views import bp as audit_bp
    from portmeet.letters.views import bp as letters_bp
    from portmeet.questions.views import bp as questions_bp
    from portmeet.messaging.views import bp as messaging_bp
    from portmeet.boarding.views import bp as boarding_bp

    app.register_blueprint(registration_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(messaging_bp)
    app.register_blueprint(boarding_bp)


def _configure_postgresql(engine, lock_timeout_ms: int) -> None:
    """PostgreSQL: every lock wait of a connection is bounded (LOCK_TIMEOUT_MS), so that a stuck transaction
    makes the others fail (a 503, nothing half-saved) instead of queueing them forever. Set once per
    connection, not in each registration's transaction under the meeting's lock (a round trip each)."""
    if engine.dialect.name != "postgresql":
        return
    milliseconds = int(lock_timeout_ms)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {milliseconds}")
        dbapi_connection.commit()  # a session setting: kept once committed, for the connection's life


def _configure_sqlite(engine) -> None:
    """SQLite: foreign keys on; writing transactions IMMEDIATE so writers queue instead of racing, reads
deferred so they never wait for a writer (portmeet/dbtx.py)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # As long as a PostgreSQL lock wait (LOCK_TIMEOUT_MS): a burst of registrations queues on one lock.
        cursor.execute("PRAGMA busy_timeout=25000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        from portmeet.dbtx import begin_statement

        connection.exec_driver_sql(begin_statement())  # reads deferred, writes immediate (see dbtx)
