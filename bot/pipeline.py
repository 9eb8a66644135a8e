"""The pipeline: inbound message -> understanding -> dialog decision -> effects -> replies.

One turn is one database transaction: the inbound message is logged first (which also claims its
platform id, so a concurrent retry of the same message waits and then replays this turn's outcome),
the conversation row is locked, the dialog decides, effects are carried out, state and replies are
saved. Either all of it is stored or none of it.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import conversations
from bot.case_desk import DbCaseDesk
from bot.clock import Clock, shenzhen_now
from bot.effects import TurnContext, carry_out
from bot.messages import InboundMessage, MessageKind, TurnOutcome
from bot.pii import PiiCipher
from dialogs import texts
from dialogs.choices import PUBLIC_COMMANDS, resolve_choice
from dialogs.replies import CASE_REF_PLACEHOLDER, Choice, Reply
from dialogs.router import decide
from dialogs.script_choice import script_for
from dialogs.state import ConversationState
from dialogs.turn import DialogConfig, DialogServices, PolicyLookup, TurnInput
from knowledge.types import Citation
from nlu.replies_script import to_script
from nlu.types import Understanding

log = logging.getLogger(__name__)

# Platform menu events and bot commands mapped to dialog commands.
EVENT_COMMANDS: dict[str, str] = {
    "subscribe": "/start",
    "menu:POLICY": "/menu policy",
    "menu:HELP": "/start help_request",
    "menu:VOLUNTEER": "/start volunteer_signup",
    "menu:STATUS": "/status",
    "menu:GUIDE": "/menu guide",
    "menu:HUMAN": "/handoff",
}
MEDIA_COMMANDS: dict[MessageKind, str] = {
    MessageKind.IMAGE: "/media image",
    MessageKind.LOCATION: "/media location",
    MessageKind.LINK: "/media link",
    MessageKind.OTHER: "/media other",
}


class Interpreter(Protocol):
    def parse(self, text: str, *, now: datetime | None = None) -> Understanding: ...


class Pipeline:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        cipher: PiiCipher,
        interpreter: Interpreter,
        knowledge: PolicyLookup,
        config: DialogConfig,
        guide: object | None = None,
        max_message_chars: int = 2000,
        clock: Clock = shenzhen_now,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._interpreter = interpreter
        self._knowledge = knowledge
        self._guide = guide
        self._config = config
        self._max_chars = max_message_chars
        self._clock = clock

    def handle(self, message: InboundMessage) -> TurnOutcome:
        """Answer one message. Safe to call from several threads and processes at once."""
        try:
            return self._turn(message)
        except IntegrityError:
            # A concurrent retry of the same platform message committed first: replay its outcome.
            replayed = self._replay(message)
            if replayed is not None:
                return replayed
            raise

    # --- one turn ------------------------------------------------------------------------------

    def _turn(self, message: InboundMessage) -> TurnOutcome:
        now = self._clock()
        text, notes = self._clean(message)
        with self._sessions.begin() as session:
            if message.message_id:
                previous = conversations.find_inbound(
                    session, channel=message.channel, platform_msg_id=message.message_id
                )
                if previous is not None and previous.outcome_enc:
                    return _outcome_from_json(self._cipher.decrypt(previous.outcome_enc), replayed=True)
            inbound = conversations.log_message(
                session,
                cipher=self._cipher,
                channel=message.channel,
                user_id=message.user_id,
                direction="in",
                text=f"[{message.event}]"
                if message.event and (message.kind is MessageKind.EVENT or not text)
                else text,
                now=now,
                platform_msg_id=message.message_id or None,
            )
            row, state = conversations.load_conversation(
                session, cipher=self._cipher, channel=message.channel, user_id=message.user_id, now=now
            )
            command, nlu_text = self._command_and_text(message, state, text)
            understanding = self._interpreter.parse(nlu_text, now=now)
            desk = DbCaseDesk(
                session, self._cipher, channel=message.channel, user_id=message.user_id, now=now
            )
            services = DialogServices(
                knowledge=self._knowledge,
                desk=desk,
                config=self._config,
                guide=self._guide,
                reinterpret=lambda t: self._interpreter.parse(t, now=now),
            )
            turn = TurnInput(
                understanding=understanding, state=state, now=now, channel=message.channel, command=command
            )
            decision = decide(turn, services)
            results = carry_out(
                decision.effects,
                TurnContext(
                    session=session,
                    cipher=self._cipher,
                    channel=message.channel,
                    user_id=message.user_id,
                    now=now,
                ),
            )
            script = script_for(state.script, understanding) if command is None else state.script
            replies = self._finish(decision.replies, results.case_refs, notes, script)
            new_state = replace(decision.state, script=script, last_active=now, turns=state.turns + 1)
            conversations.save_conversation(session, cipher=self._cipher, row=row, state=new_state, now=now)
            for reply in replies:
                conversations.log_message(
                    session,
                    cipher=self._cipher,
                    channel=message.channel,
                    user_id=message.user_id,
                    direction="out",
                    text=reply.as_text(),
                    now=now,
                    action=decision.action,
                )
            outcome = TurnOutcome(
                replies=replies,
                text=text,
                intent=understanding.intent,
                confidence=round(understanding.confidence, 4),
                action=decision.action,
                citations=decision.citations,
                categories=decision.categories,
                case_refs=tuple(results.case_refs),
            )
            inbound.intent = understanding.intent
            inbound.action = decision.action
            inbound.outcome_enc = self._cipher.encrypt(_outcome_to_json(outcome))
            return outcome

    def _replay(self, message: InboundMessage) -> TurnOutcome | None:
        if not message.message_id:
            return None
        with self._sessions() as session:
            previous = conversations.find_inbound(
                session, channel=message.channel, platform_msg_id=message.message_id
            )
            if previous is None or not previous.outcome_enc:
                return None
            return _outcome_from_json(self._cipher.decrypt(previous.outcome_enc), replayed=True)

    # --- input and output ----------------------------------------------------------------------

    def _clean(self, message: InboundMessage) -> tuple[str, list[str]]:
        """Usable text from whatever arrived: voice recognition, no control characters, bounded length."""
        notes: list[str] = []
        raw = message.voice_text if message.kind is MessageKind.VOICE else message.text
        raw = (raw or "").encode("utf-8", "replace").decode("utf-8", "replace")
        text = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
        if len(text) > self._max_chars:
            text = text[: self._max_chars]
            notes.append(texts.TOO_LONG)
        return text, notes

    def _command_and_text(
        self, message: InboundMessage, state: ConversationState, text: str
    ) -> tuple[str | None, str]:
        if message.kind is MessageKind.EVENT:
            return EVENT_COMMANDS.get(message.event or "", "/start"), ""
        if message.event and message.event.startswith("/"):
            return message.event, text
        if message.kind is MessageKind.VOICE and not text:
            return "/media voice_unrecognized", ""
        if message.kind in MEDIA_COMMANDS:
            return MEDIA_COMMANDS[message.kind], ""
        chosen = resolve_choice(state.choices, text)
        if chosen is not None:
            if chosen.payload.startswith("/"):
                return chosen.payload, chosen.label
            return None, chosen.payload
        if text.startswith("/"):
            name = text.split(" ", 1)[0]
            offered = {c.payload for c in state.choices}
            if name in PUBLIC_COMMANDS or text in offered:
                return text, ""
        return None, text

    def _finish(
        self, replies: tuple[Reply, ...], refs: list[str], notes: list[str], script: object
    ) -> tuple[Reply, ...]:
        ref = refs[0] if refs else ""
        finished: list[Reply] = [Reply(n) for n in notes]
        for reply in replies:
            text = reply.text.replace(CASE_REF_PLACEHOLDER, ref)
            finished.append(
                Reply(
                    to_script(text, script),  # type: ignore[arg-type]
                    tuple(Choice(c.key, to_script(c.label, script), c.payload) for c in reply.choices),  # type: ignore[arg-type]
                )
            )
        return tuple(finished)


def _outcome_to_json(outcome: TurnOutcome) -> str:
    return json.dumps(
        {
            "replies": [
                {"text": r.text, "choices": [[c.key, c.label, c.payload] for c in r.choices]}
                for r in outcome.replies
            ],
            "text": outcome.text,
            "intent": outcome.intent,
            "confidence": outcome.confidence,
            "action": outcome.action,
            "citations": [[c.source_id, c.title, c.locator, c.year, c.status] for c in outcome.citations],
            "categories": list(outcome.categories),
            "case_refs": list(outcome.case_refs),
        },
        ensure_ascii=False,
    )


def _outcome_from_json(raw: str, *, replayed: bool) -> TurnOutcome:
    data = json.loads(raw)
    return TurnOutcome(
        replies=tuple(
            Reply(r["text"], tuple(Choice(k, label, p) for k, label, p in r["choices"]))
            for r in data["replies"]
        ),
        text=data["text"],
        intent=data["intent"],
        confidence=data["confidence"],
        action=data["action"],
        citations=tuple(Citation(*c) for c in data["citations"]),
        categories=tuple(data["categories"]),
        case_refs=tuple(data["case_refs"]),
        replayed=replayed,
    )
