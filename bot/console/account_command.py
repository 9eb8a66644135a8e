"""`python -m bot staff-user ...`: create and look after console accounts from the command line.

The password is never an argument (it would sit in the shell history and the process list): it is
read from a prompt on a terminal, or from the first line of stdin when piped.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, local
from bot.console import accounts

ACTIONS = ("add", "passwd", "role", "disable", "enable", "list")
PasswordPrompt = Callable[[str], str]


def read_password(stdin: TextIO, *, prompt: PasswordPrompt = getpass.getpass) -> str:
    """Twice from a terminal prompt (they must match), else the first line of stdin."""
    if stdin.isatty():
        first = prompt("密码 password: ")
        if prompt("再输入一次 again: ") != first:
            raise accounts.AccountError("两次输入的密码不一致 (passwords differ)")
        return first
    return stdin.readline().rstrip("\r\n")


def run(
    sessions: sessionmaker[Session],
    *,
    action: str,
    name: str,
    role: str,
    clock: Clock,
    stdin: TextIO,
    stdout: TextIO,
    prompt: PasswordPrompt = getpass.getpass,
) -> int:
    """Carry out one action; raises accounts.AccountError with a message for the operator."""
    if action == "list":
        with sessions() as session:
            for account in accounts.list_accounts(session):
                state = "active" if account.active else "disabled"
                last = f"{local(account.last_login_at):%Y-%m-%d %H:%M}" if account.last_login_at else "never"
                stdout.write(f"{account.username}\t{account.role}\t{state}\tlast login {last}\n")
        return 0
    if not name:
        raise accounts.AccountError(f"{action} 需要用户名 (NAME is required)")
    with sessions.begin() as session:
        if action == "add":
            password = read_password(stdin, prompt=prompt)
            account = accounts.create_account(
                session, username=name, role=role, password=password, now=clock()
            )
            stdout.write(f"created {account.username} ({account.role})\n")
            return 0
        existing = accounts.get_account(session, username=name)
        if existing is None:
            raise accounts.AccountError(f"没有用户 {name} (no such account)")
        if action == "passwd":
            accounts.set_password(session, account=existing, password=read_password(stdin, prompt=prompt))
            stdout.write(f"password changed for {existing.username}; their sessions are ended\n")
        elif action == "role":
            accounts.set_role(session, account=existing, role=role)
            stdout.write(f"{existing.username} is now {role}\n")
        elif action in ("disable", "enable"):
            accounts.set_active(session, account=existing, active=action == "enable")
            stdout.write(f"{existing.username} {action}d\n")
        else:
            raise accounts.AccountError(f"unknown action {action!r}")
    return 0
