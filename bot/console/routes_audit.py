"""The supervisors' page: every reveal of a name or phone, who, which case, when and why."""

from __future__ import annotations

from fastapi import Request, Response

from bot.console.deps import ContextDep, QueryText, SessionDep, SupervisorUser
from bot.console.pages import page_url, render
from bot.console.query_values import parse_page
from bot.console.reveals import list_reveals


def audit_page(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: SupervisorUser,
    who: QueryText = "",
    page: QueryText = "1",
) -> Response:
    result = list_reveals(session, staff=who, page=parse_page(page))
    params = {"who": who.strip()}
    return render(
        ctx,
        request,
        "audit.html",
        staff=staff,
        section="audit",
        who=who.strip(),
        page=result,
        previous_url=page_url("/console/audit", params, page=result.number - 1),
        next_url=page_url("/console/audit", params, page=result.number + 1),
    )
