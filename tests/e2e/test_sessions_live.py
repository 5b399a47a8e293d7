"""Against the running server (real HTTP, cookies as a browser keeps them): a copied session cookie stops
working once its owner signs out."""
import re

import pytest
import requests

from tests.e2e.live_server import HOST

pytestmark = pytest.mark.xdist_group("browser-b")  # on that group's live server, not one of its own

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _sign_in(url: str) -> requests.Session:
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{url}/login").text).group(1)
    response = browser.post(f"{url}/login", data={"email": HOST[0], "password": HOST[2], "csrf_token": token},
                            allow_redirects=False)
    assert response.status_code == 303
    return browser


def test_a_copied_cookie_stops_working_after_sign_out_on_the_running_server(live_server):
    browser = _sign_in(live_server.url)
    thief = requests.Session()
    thief.cookies.set("session", browser.cookies["session"])
    assert thief.get(f"{live_server.url}/manage/", allow_redirects=False).status_code == 200
    token = CSRF.search(browser.get(f"{live_server.url}/manage/").text).group(1)
    assert browser.post(f"{live_server.url}/logout", data={"csrf_token": token},
                        allow_redirects=False).status_code == 303
    response = thief.get(f"{live_server.url}/manage/", allow_redirects=False)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
