"""Staff accounts: password hashing, the account rules, and `python -m bot staff-user`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import db
from bot.cli import main
from bot.console import accounts, passwords
from bot.console.account_command import read_password, run
from bot.models import StaffAccount
from tests.support.clock import FakeClock


def test_new_hashes_use_the_production_cost_and_a_fresh_salt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "COST", passwords.ScryptCost(n=2**15, r=8, p=1))
    first, second = passwords.hash_password("同一个密码 same"), passwords.hash_password("同一个密码 same")
    assert first.startswith("scrypt$32768$8$1$") and first != second
    assert "同一个密码" not in first
    assert passwords.verify_password("同一个密码 same", first)
    assert not passwords.verify_password("同一个密码 Same", first)


@pytest.mark.parametrize(
    "stored", ["", "plain-text", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$abc$def", "scrypt$1024$8$1$!!$!!"]
)
def test_a_malformed_hash_never_matches(stored: str) -> None:
    assert not passwords.verify_password("anything-at-all", stored)


@pytest.fixture
def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = db.make_engine(f"sqlite:///{tmp_path / 'accounts.db'}")
    db.upgrade(engine)
    yield db.make_sessions(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("username", "role", "password", "problem"),
    [
        ("ab", "staff", "long-enough-pw", "用户名"),
        ("王小明", "staff", "long-enough-pw", "用户名"),
        ("wang xiao", "staff", "long-enough-pw", "用户名"),
        ("assistant", "staff", "long-enough-pw", "保留"),
        ("wang", "admin", "long-enough-pw", "角色"),
        ("wang", "staff", "short", "至少"),
        ("wang", "staff", "my-wang-password", "用户名"),
    ],
)
def test_account_rules(sessions, username: str, role: str, password: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, pytest.raises(accounts.AccountError, match=problem):
        accounts.create_account(session, username=username, role=role, password=password, now=FakeClock()())


def _cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stdin: str = "") -> int:
    monkeypatch.setenv("CA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_the_first_account_is_made_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _cli(
            ["staff-user", "add", "Chen", "--role", "supervisor"], monkeypatch, tmp_path, "a-good-password\n"
        )
        == 0
    )
    assert "created chen (supervisor)" in capsys.readouterr().out
    assert _cli(["staff-user", "add", "chen"], monkeypatch, tmp_path, "another-password\n") == 1
    assert "已存在" in capsys.readouterr().err
    assert _cli(["staff-user", "add", "zhou"], monkeypatch, tmp_path, "short\n") == 1
    assert _cli(["staff-user", "list"], monkeypatch, tmp_path) == 0
    listing = capsys.readouterr().out
    assert "chen\tsupervisor\tactive\tlast login never" in listing and "zhou" not in listing
    engine = db.make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.make_sessions(engine)() as session:
        account = session.execute(select(StaffAccount)).scalar_one()
        outcome = accounts.authenticate(
            session, username="chen", password="a-good-password", now=FakeClock()()
        )
    engine.dispose()
    assert "a-good-password" not in account.password_hash
    assert outcome.result is accounts.LoginResult.OK


def _run(sessions, action: str, *, role: str = "staff", stdin: str = "") -> None:  # type: ignore[no-untyped-def]
    run(
        sessions,
        action=action,
        name="wang",
        role=role,
        clock=FakeClock(),
        stdin=io.StringIO(stdin),
        stdout=io.StringIO(),
    )


def _login(sessions, password: str) -> accounts.LoginResult:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return accounts.authenticate(session, username="wang", password=password, now=FakeClock()()).result


def test_password_role_and_disabling_end_the_accounts_sessions(sessions) -> None:  # type: ignore[no-untyped-def]
    _run(sessions, "add", stdin="first-password\n")
    epochs = []
    for action, stdin in (("passwd", "second-password\n"), ("role", ""), ("disable", "")):
        _run(sessions, action, role="supervisor", stdin=stdin)
        with sessions() as session:
            account = accounts.get_account(session, username="wang")
            assert account is not None
            epochs.append(account.session_epoch)
    assert epochs == [1, 2, 3]
    assert _login(sessions, "second-password") is accounts.LoginResult.BAD_CREDENTIALS  # disabled
    _run(sessions, "enable")
    assert _login(sessions, "second-password") is accounts.LoginResult.OK
    with sessions() as session:
        account = accounts.get_account(session, username="wang")
        assert account is not None and account.role == "supervisor"
    with pytest.raises(accounts.AccountError, match="没有用户"):
        run(
            sessions,
            action="passwd",
            name="nobody",
            role="staff",
            clock=FakeClock(),
            stdin=io.StringIO("x\n"),
            stdout=io.StringIO(),
        )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_password_is_asked_twice() -> None:
    answers = iter(["typed-password", "typed-password"])
    assert read_password(_Terminal(), prompt=lambda _: next(answers)) == "typed-password"
    answers = iter(["typed-password", "typo-password"])
    with pytest.raises(accounts.AccountError, match="不一致"):
        read_password(_Terminal(), prompt=lambda _: next(answers))
