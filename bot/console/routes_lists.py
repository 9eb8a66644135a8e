"""The volunteer list and the unanswered-questions list."""

from __future__ import annotations

from fastapi import Request, Response

from bot.console.case_list import ALL, OPEN
from bot.console.deps import ContextDep, QueryText, SessionDep, StaffUser
from bot.console.labels import labels
from bot.console.pages import page_url, render
from bot.console.query_values import one_of, parse_day, parse_page
from bot.console.unanswered_list import list_unanswered
from bot.console.volunteer_list import VolunteerFilter, list_volunteers
from bot.console.workflow import workflow


def volunteers(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffUser,
    status: QueryText = OPEN,
    skill: QueryText = "",
    area: QueryText = "",
    community: QueryText = "",
    page: QueryText = "1",
) -> Response:
    names = labels()
    filters = VolunteerFilter(
        status=one_of(status, (OPEN, ALL, *workflow().statuses), default=OPEN),
        skill=one_of(skill, (code for code, _ in names.skill_options())),
        area=one_of(area, (code for code, _ in names.area_options())),
        community=community.strip(),
    )
    params = {
        "status": filters.status,
        "skill": filters.skill,
        "area": filters.area,
        "community": filters.community,
    }
    result = list_volunteers(session, cipher=ctx.cipher, filters=filters, page=parse_page(page))
    return render(
        ctx,
        request,
        "volunteers.html",
        staff=staff,
        section="volunteers",
        filters=filters,
        page=result,
        previous_url=page_url("/console/volunteers", params, page=result.number - 1),
        next_url=page_url("/console/volunteers", params, page=result.number + 1),
    )


def unanswered(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffUser,
    date_from: QueryText = "",
    date_to: QueryText = "",
    page: QueryText = "1",
) -> Response:
    start, end = parse_day(date_from), parse_day(date_to)
    params = {"date_from": start.isoformat() if start else "", "date_to": end.isoformat() if end else ""}
    result = list_unanswered(session, date_from=start, date_to=end, page=parse_page(page))
    return render(
        ctx,
        request,
        "unanswered.html",
        staff=staff,
        section="unanswered",
        date_from=start,
        date_to=end,
        page=result,
        previous_url=page_url("/console/unanswered", params, page=result.number - 1),
        next_url=page_url("/console/unanswered", params, page=result.number + 1),
    )
