"""Every page, print and e-mail template compiles: a syntax slip in a rarely visited page (a staff
screen, an e-mail sent once a year) must fail here, not in front of a host."""
import pytest


def test_every_template_compiles(app):
    names = [name for name in app.jinja_env.list_templates() if name.endswith((".html", ".txt"))]
    assert len(names) > 50
    broken = []
    for name in names:
        try:
            app.jinja_env.get_template(name)
        except Exception as error:  # noqa: BLE001 — collect them all, then report
            broken.append(f"{name}: {error}")
    if broken:
        pytest.fail("\n".join(broken))
