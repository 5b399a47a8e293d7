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
        """Load the demo meeting and the demo organiser (once)."""
        from portmeet.demo import DEMO_ORGANISER, load_demo

        meeting, created = load_demo()
        db.session.commit()
        click.echo(f"{'Loaded' if created else 'Already there:'} demo meeting /meetings/{meeting.slug}/")
        click.echo(f"Demo organiser: {DEMO_ORGANISER[0]} / {DEMO_ORGANISER[2]}")
