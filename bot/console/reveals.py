"""Revealing a masked name or phone: only with a reason, and always logged (who, case, field, when, why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import local
from bot.console.masking import mask_text
from bot.console.paging import Page, clamp_page
from bot.errors import BotError
from bot.models import Case, PiiReveal
from bot.pii import PiiCipher

REVEALABLE = ("name", "phone")
MIN_REASON_CHARS = 2
MAX_REASON_CHARS = 200
PER_PAGE = 50


class RevealRefused(BotError):
    """The reveal was not allowed (unknown field, no reason); the message is shown to staff."""


@dataclass(frozen=True, slots=True)
class RevealRow:
    at: datetime
    staff: str
    ref: str
    field: str
    reason: str


def clean_reason(raw: str) -> str:
    reason = " ".join(raw.split())
    if len(reason) < MIN_REASON_CHARS:
        raise RevealRefused("请写明查看原因(至少两个字),查看记录会交主管审阅。")
    if len(reason) > MAX_REASON_CHARS:
        raise RevealRefused(f"查看原因请不要超过 {MAX_REASON_CHARS} 个字。")
    return reason


def reveal(
    session: Session, *, case: Case, field: str, reason: str, staff: str, cipher: PiiCipher, now: datetime
) -> str:
    """Log the reveal and return the clear value. The caller commits (the log and the view go together)."""
    if field not in REVEALABLE:
        raise RevealRefused("只能查看姓名或电话。")
    reason = clean_reason(reason)
    value = cipher.decrypt(case.name_enc if field == "name" else case.phone_enc)
    if not value:
        raise RevealRefused("这条登记没有留下这一项。")
    session.add(
        PiiReveal(
            case_id=case.id,
            staff=staff,
            field=field,
            # A reason must not itself become a place where a phone number sits in clear.
            reason=mask_text(reason, phone=cipher.decrypt(case.phone_enc)),
            created_at=now,
        )
    )
    session.flush()
    return value


def list_reveals(
    session: Session, *, staff: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[RevealRow]:
    stmt = select(PiiReveal, Case.ref).join(Case, Case.id == PiiReveal.case_id)
    if staff.strip():
        stmt = stmt.where(PiiReveal.staff == staff.strip().lower())
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    number = clamp_page(page, total=total, per_page=per_page)
    rows = session.execute(
        stmt.order_by(PiiReveal.created_at.desc(), PiiReveal.id.desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    items = tuple(
        RevealRow(at=local(r.created_at), staff=r.staff, ref=ref, field=r.field, reason=r.reason)
        for r, ref in rows
    )
    return Page(items=items, number=number, per_page=per_page, total=total)
