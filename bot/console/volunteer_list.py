"""The volunteer list: who signed up, for what and when they are free, with names and phones masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import QueryableAttribute, Session

from bot.clock import local
from bot.console.case_list import ALL, OPEN
from bot.console.masking import mask_name, mask_phone
from bot.console.paging import Page, clamp_page
from bot.console.search_text import place_contains
from bot.console.workflow import workflow
from bot.models import Case, Volunteer
from bot.pii import PiiCipher

PER_PAGE = 30


@dataclass(frozen=True, slots=True)
class VolunteerFilter:
    status: str = OPEN
    skill: str = ""
    area: str = ""
    community: str = ""


@dataclass(frozen=True, slots=True)
class VolunteerRow:
    ref: str
    status: str
    community: str
    name: str  # masked
    phone: str  # masked
    skills: str  # codes, comma-separated
    availability: str
    service_areas: str
    created_at: datetime


def _has_code(column: ColumnElement[str] | QueryableAttribute[str], code: str) -> ColumnElement[bool]:
    """Codes are stored comma-separated; wrap in commas so `it` never matches inside another code."""
    return (literal(",") + column + literal(",")).contains(f",{code},", autoescape=True)


def list_volunteers(
    session: Session, *, cipher: PiiCipher, filters: VolunteerFilter, page: int = 1, per_page: int = PER_PAGE
) -> Page[VolunteerRow]:
    stmt = select(Volunteer, Case).join(Case, Case.id == Volunteer.case_id)
    if filters.status == OPEN:
        stmt = stmt.where(Case.status.in_(workflow().open_statuses))
    elif filters.status and filters.status != ALL:
        stmt = stmt.where(Case.status == filters.status)
    if filters.skill:
        stmt = stmt.where(_has_code(Volunteer.skills, filters.skill))
    if filters.area:
        stmt = stmt.where(_has_code(Volunteer.service_areas, filters.area))
    if filters.community.strip():
        stmt = stmt.where(place_contains(Case.community, filters.community))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    number = clamp_page(page, total=total, per_page=per_page)
    rows = session.execute(
        stmt.order_by(Case.created_at.desc(), Case.id.desc()).offset((number - 1) * per_page).limit(per_page)
    ).all()
    items = tuple(
        VolunteerRow(
            ref=case.ref,
            status=case.status,
            community=case.community,
            name=mask_name(cipher.decrypt(case.name_enc)),
            phone=mask_phone(cipher.decrypt(case.phone_enc)),
            skills=volunteer.skills,
            availability=volunteer.availability,
            service_areas=volunteer.service_areas,
            created_at=local(case.created_at),
        )
        for volunteer, case in rows
    )
    return Page(items=items, number=number, per_page=per_page, total=total)
