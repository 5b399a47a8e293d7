"""Command-line tools: `flask --app wsgi create-user|demo|…`."""
import click
from flask import Flask

from portmeet.extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", required=True, help="The person's name.")
    @click.option("--password", required=True, help="At least 8 characters.")
    @click.option("--organiser", is_flag=True, help="A global organiser account (otherwise a host).")
    def create_user(email: str, name: str, password: str, organiser: bool) -> None:
        """Create an account."""
        from portmeet.accounts.service import AccountError
        from portmeet.accounts.service import create_user as create

        try:
            user = create(email, name, password, organiser)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        db.session.commit()
        click.echo(f"Created {'organiser' if user.is_organiser else 'host'} account {user.email}.")

    @app.cli.command("demo")
    def demo() -> None:
        """Load the demo meeting and the demo organiser (once); development only."""
        from flask import current_app

        from portmeet.demo import DEMO_ORGANISER, load_demo

        if current_app.config.get("PORTMEET_ENV") == "production":
            # Its organiser's password is printed in the README: on a real site it would open everything.
            raise click.ClickException("The demo (with its published organiser password) is refused in production; "
                                       "set PORTMEET_ENV=development on a development machine.")

        meeting, created = load_demo()
        db.session.commit()
        click.echo(f"{'Loaded' if created else 'Already there:'} demo meeting /meetings/{meeting.slug}/")
        click.echo(f"Demo organiser: {DEMO_ORGANISER[0]} / {DEMO_ORGANISER[2]}")

    @app.cli.command("send-mail")
    @click.option("--limit", default=500, show_default=True, help="Most messages to send in this run.")
    @click.option("--batch", default=50, show_default=True, help="Messages claimed at a time.")
    def send_mail(limit: int, batch: int) -> None:
        """Send queued e-mail now (run it from cron every minute; several at once never send a message twice).
        Failed messages are retried now; a message that fails again is counted and skipped, never blocking others."""
        from portmeet.registration.outbox import SendReport, pending_count, send_outbox

        report = SendReport()
        while report.sent + report.failed < limit:
            done = send_outbox(limit=min(batch, limit - report.sent - report.failed), respect_backoff=False,
                               exclude=report.attempted)
            report.sent += done.sent
            report.failed += done.failed
            report.attempted |= done.attempted
            if not done.sent + done.failed:
                break
        click.echo(f"{report}; {pending_count()} still queued.")
        if report.failed:
            raise SystemExit(1)

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Run the scheduled jobs (reminders, e-mails after the meeting…); idempotent, run it from cron every hour."""
        from portmeet.reminders import JOBS
        from portmeet.timeutil import utcnow

        failed = False
        for job in JOBS:
            try:
                done = job.run(utcnow())
                db.session.commit()
            except Exception as error:  # noqa: BLE001 — one failing job must not stop the others
                db.session.rollback()
                app.logger.exception("Scheduled job %r failed", job.name)
                click.echo(f"{job.name}: failed ({error})", err=True)
                failed = True
            else:
                click.echo(f"{job.name}: {done}")
        if failed:
            raise SystemExit(1)

    @app.cli.command("purge-id-data")
    @click.argument("slug")
    @click.option("--force", is_flag=True, help="Purge even though the meeting has not ended yet.")
    def purge_id_data(slug: str, force: bool) -> None:
        """Erase the ID-document data (nationality, number, date of birth) of a meeting's delegates."""
        from sqlalchemy import select

        from portmeet.meetings.models import Meeting
        from portmeet.registration.service import RegistrationError, purge_id_data as purge

        meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
        if meeting is None:
            raise click.ClickException(f"No meeting {slug!r}.")
        try:
            number = purge(meeting, force=force)
        except RegistrationError as error:
            raise click.ClickException(f"{error} Use --force to purge anyway.") from None
        db.session.commit()
        click.echo(f"ID data purged for {number} registration(s) of {meeting.slug}.")

    @app.cli.command("backup")
    @click.argument("slug")
    @click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
    @click.option("--with-id-data", is_flag=True, help="Include ID-document data (left out by default).")
    @click.option("--with-links", is_flag=True, help="Include private-link hashes (left out by default: restored "
                  "delegates then ask for a new link).")
    def backup(slug: str, output: str | None, with_id_data: bool, with_links: bool) -> None:
        """Write a meeting with its programme, visits and registrations as JSON (file mode 0600)."""
        import json
        import os

        from portmeet.backup import BackupError, dump_meeting

        try:
            text = json.dumps(dump_meeting(slug, with_id_data=with_id_data, with_links=with_links),
                              ensure_ascii=False, indent=1)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        if output:
            # Personal data: readable by its owner only, whatever the umask.
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            click.echo(f"Wrote {slug} to {output}.", err=True)
        else:
            click.echo(text)

    @app.cli.command("restore")
    @click.argument("file", type=click.File("r", encoding="utf-8"))
    def restore(file) -> None:
        """Read a meeting backup into this database (the meeting must not exist here)."""
        import json

        from portmeet.backup import BackupError, restore_meeting

        try:
            meeting, missing_hosts = restore_meeting(json.load(file))
        except (BackupError, json.JSONDecodeError) as error:
            raise click.ClickException(str(error)) from None
        db.session.commit()
        click.echo(f"Restored meeting /meetings/{meeting.slug}/ ({len(meeting.sessions)} sessions, "
                   f"{len(meeting.visits)} visits).")
        for email in missing_hosts:
            click.echo(f"No account {email} here: add it as a host of the meeting once created.", err=True)
