"""Rendering console pages: the Jinja2 environment, its filters, and the headers every page carries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.templating import Jinja2Templates

from bot.clock import local
from bot.console.deps import ConsoleContext, Staff
from bot.console.labels import labels
from bot.console.workflow import workflow

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

# Personal data is on these pages: never cached, never framed, nothing loaded from elsewhere.
SECURITY_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def _when(value: datetime | None) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} 天"] if days else []
    if hours:
        parts.append(f"{hours} 小时")
    if minutes or not parts:
        parts.append(f"{minutes} 分钟")
    return " ".join(parts)


@cache
def make_templates() -> Jinja2Templates:
    """One environment per process: templates compile once, whatever the number of apps."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=_when, day=_day, duration=_duration)
    env.globals.update(labels=labels(), workflow=workflow())
    return Jinja2Templates(env=env)


def page_url(path: str, params: Mapping[str, object], **changes: object) -> str:
    """`path` with the non-empty `params` (and `changes`) as its query string."""
    merged = {**params, **changes}
    query = urlencode({k: v for k, v in merged.items() if v not in ("", None)})
    return f"{path}?{query}" if query else path


def render(
    ctx: ConsoleContext,
    request: Request,
    name: str,
    *,
    staff: Staff | None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    values.setdefault("notice", "")
    values.setdefault("section", "")
    response = ctx.templates.TemplateResponse(
        request, name, {"staff": staff, **values}, status_code=status_code
    )
    response.headers.update(SECURITY_HEADERS)
    return response  # type: ignore[return-value]


def redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response
