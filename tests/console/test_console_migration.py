"""Migration 0002 (staff accounts, the reveal reason) matches the models and can be undone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bot import db
from bot.models import Base


def _upgrade(url: str, revision: str) -> None:
    engine = db.make_engine(url)
    config = db.alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_migrated_schema_matches_the_models(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    _upgrade(url, "head")
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_a_reveal_logged_before_0002_survives_it_and_0002_can_be_undone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    _upgrade(url, "0001")
    engine = create_engine(url)
    now = datetime(2026, 11, 23, 10, 0)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cases (id, ref, kind, status, urgency, need_type, description, community, channel,"
                " user_id, name_enc, phone_enc, phone_hash, transcript_enc, details_json, created_at, updated_at)"
                " VALUES (1, 'HR-20261123-0001', 'help', 'new', 'normal', '', '', '', 'web', 'u', '', '', '', '',"
                " '{}', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO pii_reveals (case_id, staff, field, created_at) VALUES (1, 'old', 'phone', :now)"
            ),
            {"now": now},
        )
    _upgrade(url, "0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT staff, reason FROM pii_reveals")).one() == ("old", "")
    config = db.alembic_config(url)
    command.downgrade(config, "0001")
    tables = inspect(engine).get_table_names()
    assert "staff_accounts" not in tables
    assert "reason" not in {c["name"] for c in inspect(engine).get_columns("pii_reveals")}
    engine.dispose()
