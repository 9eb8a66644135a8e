"""Console fixtures: the real app, two accounts (staff and supervisor), a resident with a fake sender."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.cli import build_web_app
from bot.console import accounts, passwords
from bot.outbound import Delivery
from bot.settings import Settings
from dialogs.replies import Reply
from tests.conftest import TEST_PII_KEY
from tests.console.support import STAFF, SUPERVISOR, file_help_request, hand_off, raise_crisis
from tests.support.clock import FakeClock


@dataclass
class RecordingSender:
    """The resident's channel outside a turn: records what staff sent, answers `delivered`."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, user_id: str, replies: Sequence[Reply]) -> Delivery:
        self.sent.extend((user_id, reply.text) for reply in replies)
        return Delivery("delivered", "")


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production scrypt costs ~0.2 s a hash; tests create and check many. The stored hash keeps its
    # own cost, so the code paths are the same (test_console_accounts checks the production cost).
    monkeypatch.setattr(passwords, "COST", passwords.ScryptCost(n=2**8, r=8, p=1))


@pytest.fixture
def sender(assistant: Assistant) -> RecordingSender:
    recording = RecordingSender()
    assistant.outbox.register("test", recording)
    return recording


@pytest.fixture
def staff_accounts(assistant: Assistant) -> None:
    with assistant.sessions.begin() as session:
        now = assistant.clock()
        accounts.create_account(session, username=STAFF[0], role="staff", password=STAFF[1], now=now)
        accounts.create_account(
            session, username=SUPERVISOR[0], role="supervisor", password=SUPERVISOR[1], now=now
        )


@pytest.fixture
def client(
    settings: Settings, assistant: Assistant, staff_accounts: None, sender: RecordingSender
) -> Iterator[TestClient]:
    with TestClient(build_web_app(settings, assistant), follow_redirects=False) as test_client:
        yield test_client


@dataclass(frozen=True)
class SharedConsole:
    """One app for the tests that only read: three cases, filed on three different days."""

    settings: Settings
    assistant: Assistant
    refs: dict[str, str]

    def client(self) -> TestClient:
        return TestClient(build_web_app(self.settings, self.assistant), follow_redirects=False)


@pytest.fixture(scope="module")
def shared_console(
    tmp_path_factory: pytest.TempPathFactory, interpreter, knowledge, guide
) -> Iterator[SharedConsole]:  # type: ignore[no-untyped-def]
    """Built once per module: the read-only tests (filters, search, redirects) need no fresh database."""
    data_dir = tmp_path_factory.mktemp("shared-console")
    settings = Settings(
        database_url=f"sqlite:///{data_dir / 'assistant.db'}", data_dir=data_dir, pii_key=TEST_PII_KEY
    )
    clock = FakeClock()
    built = Assistant.build(settings, interpreter=interpreter, knowledge=knowledge, guide=guide, clock=clock)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "COST", passwords.ScryptCost(n=2**8, r=8, p=1))
        with built.sessions.begin() as session:
            accounts.create_account(session, username=STAFF[0], role="staff", password=STAFF[1], now=clock())
    refs = {"help": file_help_request(CollectingChannel(built.handle, user_id="resident-1"))}
    clock.advance(days=2)
    refs["crisis"] = raise_crisis(CollectingChannel(built.handle, user_id="resident-2"))
    clock.advance(days=1)
    refs["handoff"] = hand_off(CollectingChannel(built.handle, user_id="resident-3"))
    yield SharedConsole(settings, built, refs)
    built.close()
