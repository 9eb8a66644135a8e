"""The case list and the case page with its actions (reveal, status, note, reply). Thin: the work is elsewhere."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import Form, Request, Response
from sqlalchemy.orm import Session

from bot import case_store
from bot.console.case_list import ALL, OPEN, CaseFilter, list_cases
from bot.console.case_view import case_detail
from bot.console.deps import ConsoleContext, ContextDep, QueryText, SessionDep, Staff, StaffForm, StaffUser
from bot.console.labels import labels
from bot.console.masking import mask_text
from bot.console.pages import page_url, redirect, render
from bot.console.query_values import one_of, parse_day, parse_page
from bot.console.reveals import RevealRefused, reveal
from bot.console.workflow import workflow
from bot.errors import BotError
from bot.models import Case

log = logging.getLogger(__name__)

REF = re.compile(r"^(HR|VS)-\d{8}-\d{4}$")
MAX_REPLY_CHARS = 1000
MAX_NOTE_CHARS = 2000
NOTICES = {
    "note": "备注已保存。",
    "status": "状态已更新,已通知居民。",
    "reply": "回复已发出。",
}


def case_list(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffUser,
    status: QueryText = OPEN,
    kind: QueryText = "",
    urgency: QueryText = "",
    community: QueryText = "",
    date_from: QueryText = "",
    date_to: QueryText = "",
    q: QueryText = "",
    page: QueryText = "1",
) -> Response:
    filters = CaseFilter(
        status=one_of(status, (OPEN, ALL, *workflow().statuses), default=OPEN),
        kind=one_of(kind, labels().kinds),
        urgency=one_of(urgency, labels().urgencies),
        community=community.strip(),
        date_from=parse_day(date_from),
        date_to=parse_day(date_to),
        query=q.strip(),
    )
    params = {
        "status": filters.status,
        "kind": filters.kind,
        "urgency": filters.urgency,
        "community": filters.community,
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
        "q": filters.query,
    }
    result = list_cases(session, cipher=ctx.cipher, filters=filters, page=parse_page(page))
    return render(
        ctx,
        request,
        "cases.html",
        staff=staff,
        section="cases",
        filters=filters,
        page=result,
        previous_url=page_url("/console/cases", params, page=result.number - 1),
        next_url=page_url("/console/cases", params, page=result.number + 1),
    )


def _load(session: Session, ref: str) -> Case | None:
    return case_store.get_case(session, ref=ref) if REF.match(ref) else None


def _not_found(ctx: ConsoleContext, request: Request, staff: Staff) -> Response:
    return render(
        ctx,
        request,
        "message.html",
        staff=staff,
        status_code=404,
        title="没有找到",
        message="没有这个编号的登记。",
    )


def _case_page(
    ctx: ConsoleContext,
    request: Request,
    session: Session,
    staff: Staff,
    case: Case,
    *,
    revealed: dict[str, str] | None = None,
    error: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        ctx,
        request,
        "case.html",
        staff=staff,
        status_code=status_code,
        section="cases",
        case=case_detail(session, case=case, cipher=ctx.cipher, role=staff.role),
        revealed=revealed or {},
        error=error,
        notice=notice,
        max_reply=MAX_REPLY_CHARS,
        max_note=MAX_NOTE_CHARS,
    )


def case_page(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffUser,
    ref: str,
    done: QueryText = "",
    delivery: QueryText = "",
) -> Response:
    case = _load(session, ref)
    if case is None:
        return _not_found(ctx, request, staff)
    notice = NOTICES.get(done, "")
    if notice and delivery:
        notice += f" 送达结果:{labels().delivery(one_of(delivery, labels().deliveries, default='pending'))}"
    return _case_page(ctx, request, session, staff, case, notice=notice)


def reveal_field(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffForm,
    ref: str,
    field: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Show one clear value on this response only; the reveal is logged in the same transaction."""
    case = _load(session, ref)
    if case is None:
        return _not_found(ctx, request, staff)
    try:
        value = reveal(
            session,
            case=case,
            field=field,
            reason=reason,
            staff=staff.username,
            cipher=ctx.cipher,
            now=ctx.clock(),
        )
    except RevealRefused as exc:
        return _case_page(ctx, request, session, staff, case, error=str(exc), status_code=400)
    session.commit()
    log.info("personal data revealed: %s %s by %s", case.ref, field, staff.username)
    return _case_page(ctx, request, session, staff, case, revealed={field: value})


async def change_status(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffForm,
    ref: str,
    to_status: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE_CHARS)] = "",
) -> Response:
    case = _load(session, ref)
    if case is None:
        return _not_found(ctx, request, staff)
    if not workflow().allows(case.status, to_status, role=staff.role):
        problem = f"不能从「{workflow().label(case.status)}」改为「{workflow().label(to_status)}」。"
        return _case_page(ctx, request, session, staff, case, error=problem, status_code=400)
    ref = case.ref
    session.rollback()  # end the read before the desk writes in its own transaction
    try:
        result = await ctx.desk.set_status(ref=ref, status=to_status, actor=staff.username, note=note.strip())
    except BotError as exc:
        return _case_page(ctx, request, session, staff, case, error=f"没有更新:{exc}", status_code=409)
    return redirect(page_url(f"/console/cases/{ref}", {"done": "status", "delivery": result.delivery.status}))


def add_note(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffForm,
    ref: str,
    note: Annotated[str, Form(max_length=MAX_NOTE_CHARS)] = "",
) -> Response:
    """An internal note, never sent to the resident; phone numbers in it are masked before storing."""
    case = _load(session, ref)
    if case is None:
        return _not_found(ctx, request, staff)
    text = note.strip()
    if not text:
        return _case_page(ctx, request, session, staff, case, error="备注不能为空。", status_code=400)
    phone = ctx.cipher.decrypt(case.phone_enc)
    case_store.add_event(
        session,
        case=case,
        event="note",
        note=mask_text(text, phone=phone),
        actor=staff.username,
        now=ctx.clock(),
    )
    session.commit()
    return redirect(f"/console/cases/{case.ref}?done=note")


async def reply(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    staff: StaffForm,
    ref: str,
    text: Annotated[str, Form(max_length=MAX_REPLY_CHARS)] = "",
) -> Response:
    case = _load(session, ref)
    if case is None:
        return _not_found(ctx, request, staff)
    if not text.strip():
        return _case_page(ctx, request, session, staff, case, error="回复内容不能为空。", status_code=400)
    ref = case.ref
    session.rollback()  # end the read before the desk writes in its own transaction
    result = await ctx.desk.reply(ref=ref, text=text, actor=staff.username)
    return redirect(page_url(f"/console/cases/{ref}", {"done": "reply", "delivery": result.delivery.status}))
