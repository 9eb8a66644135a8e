"""The case list: filters, the order staff work in (urgent and crisis first), masked rows, pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from bot.clock import SHENZHEN, local
from bot.console.labels import labels
from bot.console.masking import mask_name, mask_phone
from bot.console.paging import Page, clamp_page
from bot.console.search_text import place_contains, search_form
from bot.console.workflow import workflow
from bot.models import Case
from bot.pii import PiiCipher
from nlu.case_refs import parse_case_ref
from nlu.phones import check_phone

PER_PAGE = 20
OPEN = "open"  # the status filter meaning every unfinished status
ALL = "all"


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str = OPEN
    kind: str = ""
    urgency: str = ""
    community: str = ""
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""  # a reference (whole or part) or a phone number


@dataclass(frozen=True, slots=True)
class CaseRow:
    ref: str
    kind: str
    status: str
    urgency: str
    need_type: str
    community: str
    name: str  # masked
    phone: str  # masked
    created_at: datetime
    updated_at: datetime
    priority: int  # 0 = crisis or urgent and still open; shown highlighted

    @property
    def highlighted(self) -> bool:
        return self.priority == 0

    @property
    def pressing(self) -> bool:
        return self.priority <= 1


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHENZHEN)


def priority_rank() -> ColumnElement[int]:
    """Open crisis and urgent cases rank 0, then open cases by urgency, then finished cases."""
    open_case = Case.status.in_(workflow().open_statuses)
    ranks = labels().urgencies
    finished = max(spec.rank for spec in ranks.values()) + 1
    whens = [(and_(open_case, Case.kind == "crisis"), 0)]
    whens += [(and_(open_case, Case.urgency == code), spec.rank) for code, spec in ranks.items()]
    return case(*whens, else_=finished)


def _query_condition(query: str, *, cipher: PiiCipher) -> ColumnElement[bool]:
    phone = check_phone(query)
    if phone.valid and phone.e164:
        return Case.phone_hash == cipher.keyed_hash(phone.e164)
    ref = parse_case_ref(query)
    if ref:
        return Case.ref == ref
    fragment = search_form(query).upper().replace(" ", "")
    return Case.ref.contains(fragment, autoescape=True)


def filtered(filters: CaseFilter, *, cipher: PiiCipher) -> Select[Any]:
    stmt = select(Case)
    if filters.status == OPEN:
        stmt = stmt.where(Case.status.in_(workflow().open_statuses))
    elif filters.status and filters.status != ALL:
        stmt = stmt.where(Case.status == filters.status)
    if filters.kind:
        stmt = stmt.where(Case.kind == filters.kind)
    if filters.urgency:
        stmt = stmt.where(Case.urgency == filters.urgency)
    if filters.community.strip():
        stmt = stmt.where(place_contains(Case.community, filters.community))
    if filters.date_from:
        stmt = stmt.where(Case.created_at >= day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(Case.created_at < day_start(filters.date_to + timedelta(days=1)))
    if filters.query.strip():
        stmt = stmt.where(_query_condition(filters.query.strip(), cipher=cipher))
    return stmt


def list_cases(
    session: Session, *, cipher: PiiCipher, filters: CaseFilter, page: int = 1, per_page: int = PER_PAGE
) -> Page[CaseRow]:
    stmt = filtered(filters, cipher=cipher)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    number = clamp_page(page, total=total, per_page=per_page)
    rank = priority_rank().label("priority")
    rows = session.execute(
        stmt.add_columns(rank)
        .order_by(rank, Case.created_at.desc(), Case.id.desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    items = tuple(
        CaseRow(
            ref=row.ref,
            kind=row.kind,
            status=row.status,
            urgency=row.urgency,
            need_type=row.need_type,
            community=row.community,
            name=mask_name(cipher.decrypt(row.name_enc)),
            phone=mask_phone(cipher.decrypt(row.phone_enc)),
            created_at=local(row.created_at),
            updated_at=local(row.updated_at),
            priority=int(priority),
        )
        for row, priority in rows
    )
    return Page(items=items, number=number, per_page=per_page, total=total)
