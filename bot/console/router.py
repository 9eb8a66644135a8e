"""The console's routes under /console, assembled from the route modules into one APIRouter."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute

from bot.assistant import Assistant
from bot.console import routes_audit, routes_auth, routes_cases, routes_lists, routes_report
from bot.console.deps import ConsoleContext, Forbidden, NotSignedIn
from bot.console.pages import STATIC, make_templates, redirect, render
from bot.console.session_cookie import SessionSigner, console_secret

Handler = Callable[[Request], Coroutine[Any, Any, Response]]

# (method, path, endpoint): the whole console at a glance.
ROUTES: tuple[tuple[str, str, Callable[..., Any]], ...] = (
    ("GET", "/console", routes_auth.home),
    ("GET", "/console/", routes_auth.home),
    ("GET", "/console/login", routes_auth.login_page),
    ("POST", "/console/login", routes_auth.login),
    ("POST", "/console/logout", routes_auth.logout),
    ("GET", "/console/cases", routes_cases.case_list),
    ("GET", "/console/cases/{ref}", routes_cases.case_page),
    ("POST", "/console/cases/{ref}/reveal", routes_cases.reveal_field),
    ("POST", "/console/cases/{ref}/status", routes_cases.change_status),
    ("POST", "/console/cases/{ref}/note", routes_cases.add_note),
    ("POST", "/console/cases/{ref}/reply", routes_cases.reply),
    ("GET", "/console/volunteers", routes_lists.volunteers),
    ("GET", "/console/unanswered", routes_lists.unanswered),
    ("GET", "/console/report", routes_report.report_page),
    ("GET", "/console/report.csv", routes_report.report_download),
    ("GET", "/console/audit", routes_audit.audit_page),
)
STYLESHEET = STATIC / "console.css"


def _route_class(ctx: ConsoleContext) -> type[APIRoute]:
    """Routes that see the console context and turn access signals into pages, not JSON errors."""

    class ConsoleRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()

            async def console_handler(request: Request) -> Response:
                request.state.console = ctx
                try:
                    return await handler(request)
                except NotSignedIn as signal:
                    return redirect(f"/console/login?next={quote(signal.next_path, safe='/')}")
                except Forbidden as refusal:
                    return render(
                        ctx,
                        request,
                        "message.html",
                        staff=None,
                        status_code=403,
                        title="无权访问",
                        message=refusal.message,
                    )

            return console_handler

    return ConsoleRoute


def stylesheet() -> Response:
    return FileResponse(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def console_router(assistant: Assistant) -> APIRouter:
    """The staff console of an assembled assistant, under /console."""
    settings = assistant.settings
    ctx = ConsoleContext(
        sessions=assistant.sessions,
        cipher=assistant.cipher,
        clock=assistant.clock,
        desk=assistant.staff,
        signer=SessionSigner(console_secret(settings.pii_key, settings.data_dir)),
        templates=make_templates(),
    )
    router = APIRouter(route_class=_route_class(ctx), include_in_schema=False)
    for method, path, endpoint in ROUTES:
        router.add_api_route(path, endpoint, methods=[method], response_class=Response)
    router.add_api_route("/console/static/console.css", stylesheet, methods=["GET"], response_class=Response)
    return router
