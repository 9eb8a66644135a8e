"""The console's request dependencies as `Annotated` aliases: SessionDep, StaffUser, StaffForm, SupervisorUser.

Access problems are raised as the exceptions below; the console's route class turns them into a
redirect to the login page (not signed in) or a Chinese 403 page (forbidden, bad CSRF token).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Query, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.templating import Jinja2Templates

from bot.clock import Clock
from bot.console.session_cookie import SESSION_COOKIE, SessionSigner
from bot.models import StaffAccount
from bot.pii import PiiCipher
from bot.staff import StaffDesk


@dataclass(frozen=True, slots=True)
class ConsoleContext:
    """What every console request needs from the assembled assistant."""

    sessions: sessionmaker[Session]
    cipher: PiiCipher
    clock: Clock
    desk: StaffDesk
    signer: SessionSigner
    templates: Jinja2Templates


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in staff member of a request."""

    id: int
    username: str
    role: str
    csrf: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


class NotSignedIn(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def get_context(request: Request) -> ConsoleContext:
    context: ConsoleContext = request.state.console
    return context


ContextDep = Annotated[ConsoleContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    """One session per request; routes that change something commit it themselves."""
    with ctx.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_staff(request: Request, ctx: ContextDep, session: SessionDep) -> Staff:
    raw = request.cookies.get(SESSION_COOKIE, "")
    claims = ctx.signer.read(raw, now=ctx.clock()) if raw else None
    account = session.get(StaffAccount, claims.account_id) if claims else None
    if claims is None or account is None or not account.active or account.session_epoch != claims.epoch:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotSignedIn(target if request.method == "GET" else "/console/cases")
    return Staff(account.id, account.username, account.role, ctx.signer.csrf_token(claims))


StaffUser = Annotated[Staff, Depends(current_staff)]


def staff_form(staff: StaffUser, csrf: Annotated[str, Form()] = "") -> Staff:
    """A signed-in staff member posting a form the console rendered for this very session."""
    if not csrf or not hmac.compare_digest(csrf, staff.csrf):
        raise Forbidden("页面已过期或来源不明,请返回重新操作。")
    return staff


StaffForm = Annotated[Staff, Depends(staff_form)]


def supervisor(staff: StaffUser) -> Staff:
    if not staff.is_supervisor:
        raise Forbidden("此页面仅限主管查看。")
    return staff


SupervisorUser = Annotated[Staff, Depends(supervisor)]


QueryText = Annotated[str, Query(max_length=200)]
