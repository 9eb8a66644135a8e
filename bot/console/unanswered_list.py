"""Questions the assistant could not answer, grouped and counted, for whoever improves the knowledge pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import local
from bot.console.case_list import day_start
from bot.console.masking import mask_text
from bot.console.paging import Page, clamp_page
from bot.models import UnansweredQuestion

PER_PAGE = 30


@dataclass(frozen=True, slots=True)
class UnansweredRow:
    normalized: str
    example: str  # one of the questions as typed
    count: int
    last_asked: datetime


def list_unanswered(
    session: Session,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[UnansweredRow]:
    """The same normalised question asked many times comes first: that gap matters most."""
    stmt = select(
        UnansweredQuestion.normalized,
        func.max(UnansweredQuestion.question).label("example"),
        func.count().label("asked"),
        func.max(UnansweredQuestion.created_at).label("last_asked"),
    )
    if date_from:
        stmt = stmt.where(UnansweredQuestion.created_at >= day_start(date_from))
    if date_to:
        stmt = stmt.where(UnansweredQuestion.created_at < day_start(date_to + timedelta(days=1)))
    stmt = stmt.group_by(UnansweredQuestion.normalized)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    number = clamp_page(page, total=total, per_page=per_page)
    rows = session.execute(
        stmt.order_by(func.count().desc(), func.max(UnansweredQuestion.created_at).desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    items = tuple(
        UnansweredRow(
            normalized=mask_text(row.normalized),
            example=mask_text(row.example),
            count=int(row.asked),
            last_asked=local(row.last_asked),
        )
        for row in rows
    )
    return Page(items=items, number=number, per_page=per_page, total=total)
