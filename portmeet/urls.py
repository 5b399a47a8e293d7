"""Absolute links (e-mails, PDFs, QR codes, .ics) built from PORTMEET_BASE_URL, never from the Host header.

A forged `Host: attacker.example` must never reach a delegate's mailbox as the address of their private
link: so every absolute URL comes from the configured base URL. Only development without a base URL
falls back to the served address (the request's host), as `flask run` users expect.
"""
from __future__ import annotations

from contextlib import nullcontext
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request


class BaseUrlError(RuntimeError):
    pass


def parse_base_url(value: str) -> tuple[str, str, str]:
    """(scheme, host[:port], path prefix) of a base URL such as https://meet.example.org/portmeet."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc:
        raise BaseUrlError(f"PORTMEET_BASE_URL must look like https://meet.example.org (got {value!r}).")
    return parts.scheme, parts.netloc.lower(), parts.path.rstrip("/")


def safe_next(target: str | None) -> str | None:
    """A "next" address to go back to: only a path on this site, never another host, scheme or
    protocol-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def base_url() -> str:
    """The site's base URL: the setting, or in development without it the address being served."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if current_app.config.get("PORTMEET_ENV") != "production" and has_request_context():
        return request.host_url.rstrip("/")
    if current_app.config.get("PORTMEET_ENV") != "production":
        return "http://localhost:5000"  # `flask run`'s address, for links made by commands in development
    raise BaseUrlError("PORTMEET_BASE_URL is not set.")


def base_host() -> str:
    """The host (and port) of the base URL, e.g. for calendar UIDs."""
    return parse_base_url(base_url())[1]


def external_url(endpoint: str, **values) -> str:
    """An absolute link to one of the app's pages, under the base URL."""
    scheme, host, prefix = parse_base_url(base_url())
    adapter = current_app.url_map.bind(host, script_name=prefix or "/", url_scheme=scheme)
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    """In production, require a base URL and answer only to its host (and PORTMEET_TRUSTED_HOSTS): a request
    with another Host header is refused with 400 before any view runs."""
    configured = app.config.get("BASE_URL")
    if configured:
        parse_base_url(configured)  # refuse a malformed setting at start-up, not in the first e-mail
    if app.config.get("PORTMEET_ENV") != "production":
        return
    if not configured:
        raise BaseUrlError(
            "portmeet refuses to start in production without PORTMEET_BASE_URL (e.g. "
            "https://meet.example.org): every link in e-mails, PDFs and QR codes is built from it."
        )
    if app.config.get("TRUSTED_HOSTS") is None:
        host = parse_base_url(configured)[1]
        app.config["TRUSTED_HOSTS"] = [host, host.split(":")[0], *app.config.get("EXTRA_TRUSTED_HOSTS", [])]


def links_as_served_at(base: str | None):
    """A context in which links are built as the request served at `base` built them: for text written after
    that request (a confirmation written by the sender), where, in development without PORTMEET_BASE_URL, the
    served address is the links' address. With the setting, links come from it anyway."""
    if not base or current_app.config.get("BASE_URL"):
        return nullcontext()
    return current_app.test_request_context(base_url=base)
