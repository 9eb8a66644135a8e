"""Logging in and out of the console."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Form, Query, Request, Response

from bot.console import accounts
from bot.console.deps import ContextDep, SessionDep, StaffForm
from bot.console.pages import redirect, render
from bot.console.session_cookie import LOGIN_COOKIE, LOGIN_FORM_LIFETIME, SESSION_COOKIE
from bot.models import StaffAccount

log = logging.getLogger(__name__)

PATH = "/console"
HOME = "/console/cases"
LOGIN_PROBLEMS = {
    "expired": "登录页面已过期,请重新输入。",
    accounts.LoginResult.BAD_CREDENTIALS: "用户名或密码不正确。",
    accounts.LoginResult.LOCKED: "登录失败次数过多,账号已暂时锁定,请 15 分钟后再试。",
}
LOGIN_STATUS = {"expired": 403, accounts.LoginResult.BAD_CREDENTIALS: 401, accounts.LoginResult.LOCKED: 429}


def safe_next(raw: str) -> str:
    """Only a console path may follow a login: never another site (open redirect)."""
    if raw.startswith(PATH + "/") and "//" not in raw and "\\" not in raw and raw != PATH + "/login":
        return raw
    return HOME


def _cookie_options(request: Request) -> dict[str, object]:
    # Secure whenever the console is reached over HTTPS (behind a proxy: run uvicorn with --proxy-headers).
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https", "path": PATH}


def _signed_in(request: Request, ctx: ContextDep, session: SessionDep) -> bool:
    claims = ctx.signer.read(request.cookies.get(SESSION_COOKIE, ""), now=ctx.clock())
    if claims is None:
        return False
    account = session.get(StaffAccount, claims.account_id)
    return account is not None and account.active and account.session_epoch == claims.epoch


def _login_form(
    request: Request, ctx: ContextDep, *, next_path: str, username: str = "", problem: str = ""
) -> Response:
    nonce = ctx.signer.new_login_nonce(now=ctx.clock())
    response = render(
        ctx,
        request,
        "login.html",
        staff=None,
        status_code=LOGIN_STATUS.get(problem, 200),
        csrf=ctx.signer.login_csrf(nonce),
        next_path=safe_next(next_path),
        username=username,
        error=LOGIN_PROBLEMS.get(problem, ""),
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=int(LOGIN_FORM_LIFETIME.total_seconds()),
        **_cookie_options(request),  # type: ignore[arg-type]
    )
    return response


def home() -> Response:
    return redirect(HOME)


def login_page(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    next_path: Annotated[str, Query(alias="next")] = "",
) -> Response:
    if _signed_in(request, ctx, session):
        return redirect(safe_next(next_path))
    return _login_form(request, ctx, next_path=next_path)


def login(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=accounts.MAX_PASSWORD_CHARS)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=500)] = "",
) -> Response:
    now = ctx.clock()
    if not ctx.signer.check_login_csrf(request.cookies.get(LOGIN_COOKIE, ""), csrf, now=now):
        return _login_form(request, ctx, next_path=next_path, username=username, problem="expired")
    outcome = accounts.authenticate(session, username=username, password=password, now=now)
    session.commit()
    if outcome.result is not accounts.LoginResult.OK or outcome.account_id is None:
        log.warning("console login refused for %r: %s", username[:64], outcome.result.value)
        return _login_form(request, ctx, next_path=next_path, username=username, problem=outcome.result)
    log.info("console login: %s", accounts.normalize_username(username))
    response = redirect(safe_next(next_path))
    response.set_cookie(
        SESSION_COOKIE,
        ctx.signer.issue(account_id=outcome.account_id, epoch=outcome.epoch, now=now),
        max_age=int(ctx.signer.lifetime.total_seconds()),
        **_cookie_options(request),  # type: ignore[arg-type]
    )
    response.delete_cookie(LOGIN_COOKIE, path=PATH)
    return response


def logout(request: Request, staff: StaffForm, session: SessionDep) -> Response:
    """Ends every session of this account (the cookie alone could have been copied)."""
    accounts.end_sessions(session, account_id=staff.id)
    session.commit()
    log.info("console logout: %s", staff.username)
    response = redirect(PATH + "/login")
    response.delete_cookie(SESSION_COOKIE, path=PATH)
    return response
