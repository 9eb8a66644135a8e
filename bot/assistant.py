"""The assembled core: database, cipher, NLU, knowledge and pipeline, built from Settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot.clock import Clock, shenzhen_now
from bot.messages import InboundMessage, TurnOutcome
from bot.outbound import Outbox
from bot.pii import PiiCipher, load_or_create_key
from bot.pipeline import Interpreter, Pipeline
from bot.settings import Settings
from bot.staff import StaffDesk
from dialogs.turn import DialogConfig, PolicyLookup

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    cipher: PiiCipher
    pipeline: Pipeline
    outbox: Outbox
    staff: StaffDesk
    clock: Clock

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        interpreter: Interpreter | None = None,
        knowledge: PolicyLookup | None = None,
        guide: object | None = None,
        clock: Clock = shenzhen_now,
    ) -> Assistant:
        engine = db.make_engine(settings.database_url)
        db.upgrade(engine)
        sessions = db.make_sessions(engine)
        cipher = PiiCipher(load_or_create_key(settings.pii_key, settings.data_dir))
        interpreter = interpreter or _build_interpreter(settings)
        knowledge = knowledge or _load_knowledge()
        guide = guide if guide is not None else _load_guide()
        config = DialogConfig(
            office_hours=settings.office_hours,
            idle_timeout=timedelta(minutes=settings.idle_timeout_minutes),
            retention_days=settings.retention_days,
        )
        pipeline = Pipeline(
            sessions=sessions,
            cipher=cipher,
            interpreter=interpreter,
            knowledge=knowledge,
            guide=guide,
            config=config,
            max_message_chars=settings.max_message_chars,
            clock=clock,
        )
        outbox = Outbox()
        staff = StaffDesk(sessions=sessions, outbox=outbox, clock=clock)
        return cls(settings, engine, sessions, cipher, pipeline, outbox, staff, clock)

    def handle(self, message: InboundMessage) -> TurnOutcome:
        return self.pipeline.handle(message)

    def close(self) -> None:
        self.engine.dispose()


def _build_interpreter(settings: Settings) -> Interpreter:
    from nlu.interpreter import build_interpreter

    return build_interpreter(
        settings.nlu_backend, rasa_url=settings.rasa_url or None, cache_dir=settings.cache_dir / "nlu"
    )


def _load_knowledge() -> PolicyLookup:
    from knowledge.retrieval import PolicyKnowledge

    return PolicyKnowledge.load()


def _load_guide() -> object | None:
    from knowledge.category_guide import CategoryGuide

    return CategoryGuide.load()
