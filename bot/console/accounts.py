"""Staff accounts: keyword-only repository functions that take a Session and never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import local
from bot.console.passwords import dummy_hash, hash_password, verify_password
from bot.errors import BotError
from bot.models import StaffAccount

ROLES = ("staff", "supervisor")
# Names the case history already uses for non-people (the assistant, the `staff` CLI default).
RESERVED_USERNAMES = frozenset({"assistant", "staff", "system", "admin"})
USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class AccountError(BotError):
    """An account cannot be created or changed as asked (the message is shown to the operator)."""


class LoginResult(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    result: LoginResult
    account_id: int | None = None
    epoch: int = 0


def normalize_username(raw: str) -> str:
    return raw.strip().lower()


def check_password_rules(password: str, *, username: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"密码至少 {MIN_PASSWORD_CHARS} 个字符 (password too short)")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"密码最多 {MAX_PASSWORD_CHARS} 个字符 (password too long)")
    if username in password.lower():
        raise AccountError("密码不能包含用户名 (password contains the username)")


def get_account(session: Session, *, username: str) -> StaffAccount | None:
    return session.execute(
        select(StaffAccount).where(StaffAccount.username == normalize_username(username))
    ).scalar_one_or_none()


def list_accounts(session: Session) -> list[StaffAccount]:
    return list(session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars())


def create_account(
    session: Session, *, username: str, role: str, password: str, now: datetime
) -> StaffAccount:
    name = normalize_username(username)
    if not USERNAME.match(name):
        raise AccountError("用户名须为 3-32 个小写字母、数字或 . _ -,以字母开头 (invalid username)")
    if name in RESERVED_USERNAMES:
        raise AccountError(f"用户名 {name} 已被系统保留 (reserved username)")
    if role not in ROLES:
        raise AccountError(f"角色须为 {' 或 '.join(ROLES)} (unknown role {role!r})")
    if get_account(session, username=name) is not None:
        raise AccountError(f"用户 {name} 已存在 (account exists)")
    check_password_rules(password, username=name)
    account = StaffAccount(
        username=name,
        role=role,
        password_hash=hash_password(password),
        active=True,
        session_epoch=0,
        failed_logins=0,
        created_at=now,
    )
    session.add(account)
    session.flush()
    return account


def set_password(session: Session, *, account: StaffAccount, password: str) -> None:
    """A new password ends every session of the account and lifts a lock-out."""
    check_password_rules(password, username=account.username)
    account.password_hash = hash_password(password)
    account.failed_logins = 0
    account.locked_until = None
    account.session_epoch += 1
    session.flush()


def set_role(session: Session, *, account: StaffAccount, role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"角色须为 {' 或 '.join(ROLES)} (unknown role {role!r})")
    account.role = role
    account.session_epoch += 1  # a changed role must not linger in an open session
    session.flush()


def set_active(session: Session, *, account: StaffAccount, active: bool) -> None:
    account.active = active
    account.session_epoch += 1
    session.flush()


def end_sessions(session: Session, *, account_id: int) -> None:
    """Log the account out everywhere (the log-out button does this)."""
    account = session.get(StaffAccount, account_id)
    if account is not None:
        account.session_epoch += 1
        session.flush()


def authenticate(session: Session, *, username: str, password: str, now: datetime) -> LoginOutcome:
    """Check a login; count failures and lock the account for a while after too many."""
    account = get_account(session, username=username)
    if account is None or not account.active:
        verify_password(password, dummy_hash())
        return LoginOutcome(LoginResult.BAD_CREDENTIALS)
    if account.locked_until is not None and local(account.locked_until) > now:
        return LoginOutcome(LoginResult.LOCKED)
    if not verify_password(password, account.password_hash):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILED_LOGINS:
            account.failed_logins = 0
            account.locked_until = now + LOCKOUT
            session.flush()
            return LoginOutcome(LoginResult.LOCKED)
        session.flush()
        return LoginOutcome(LoginResult.BAD_CREDENTIALS)
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    session.flush()
    return LoginOutcome(LoginResult.OK, account.id, account.session_epoch)
