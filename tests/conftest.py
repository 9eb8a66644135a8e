"""Shared fixtures: a fresh database per test, the real NLU and knowledge loaded once per session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from adapters.collecting import CollectingChannel
from bot.assistant import Assistant
from bot.settings import Settings
from tests.support.clock import FakeClock
from tests.support.postgres import postgres_bin, running_postgres

TEST_PII_KEY = "q1Qo8Hr5wqb2z2Yd0G4nJ2m9d1vJk7fR8S3t6u9w0xY="


@pytest.fixture(scope="session")
def interpreter():  # type: ignore[no-untyped-def]
    from nlu.interpreter import build_interpreter

    return build_interpreter("embedded")


@pytest.fixture(scope="session")
def knowledge():  # type: ignore[no-untyped-def]
    from knowledge.retrieval import PolicyKnowledge

    return PolicyKnowledge.load()


@pytest.fixture(scope="session")
def guide():  # type: ignore[no-untyped-def]
    from knowledge.category_guide import CategoryGuide

    return CategoryGuide.load()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'assistant.db'}", data_dir=tmp_path, pii_key=TEST_PII_KEY
    )


@pytest.fixture
def assistant(settings: Settings, interpreter, knowledge, guide, clock: FakeClock) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    built = Assistant.build(settings, interpreter=interpreter, knowledge=knowledge, guide=guide, clock=clock)
    yield built
    built.close()


@pytest.fixture
def resident(assistant: Assistant) -> CollectingChannel:
    return CollectingChannel(assistant.handle, user_id="resident-1")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    if postgres_bin() is None:
        pytest.skip("PostgreSQL server binaries are not installed (scripts/dev test installs them)")
    with running_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's server for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_server.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
