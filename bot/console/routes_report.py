"""The report page and its CSV export (counts only, no personal data)."""

from __future__ import annotations

from fastapi import Request, Response

from bot.console.deps import ContextDep, QueryText, SessionDep, StaffUser
from bot.console.pages import SECURITY_HEADERS, page_url, render
from bot.console.query_values import parse_day
from bot.console.report import build_report, report_csv


def report_page(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffUser,
    date_from: QueryText = "",
    date_to: QueryText = "",
) -> Response:
    start, end = parse_day(date_from), parse_day(date_to)
    params = {"date_from": start.isoformat() if start else "", "date_to": end.isoformat() if end else ""}
    return render(
        ctx,
        request,
        "report.html",
        staff=staff,
        section="report",
        report=build_report(session, date_from=start, date_to=end),
        csv_url=page_url("/console/report.csv", params),
    )


def report_download(
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffUser,
    date_from: QueryText = "",
    date_to: QueryText = "",
) -> Response:
    report = build_report(session, date_from=parse_day(date_from), date_to=parse_day(date_to))
    stamp = ctx.clock().strftime("%Y%m%d")
    return Response(
        report_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="case-report-{stamp}.csv"',
        },
    )
