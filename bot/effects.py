"""Carry out the effects a dialog decided, inside the turn's transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot import case_store, conversations
from bot.models import Case
from bot.pii import PiiCipher
from bot.redaction import redact_numbers
from dialogs.effects import (
    Effect,
    EscalateCrisis,
    HandOffToHuman,
    LinkToOpenCase,
    OpenHelpRequest,
    RecordUnansweredQuestion,
    RegisterVolunteer,
    Urgency,
)

log = logging.getLogger(__name__)

PERSONAL_FORM_FIELDS = ("phone", "name")


@dataclass(slots=True)
class EffectResults:
    case_refs: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TurnContext:
    session: Session
    cipher: PiiCipher
    channel: str
    user_id: str
    now: datetime


def carry_out(effects: Sequence[Effect], ctx: TurnContext) -> EffectResults:
    results = EffectResults()
    for effect in effects:
        ref = _carry_out_one(effect, ctx)
        if ref:
            results.case_refs.append(ref)
    return results


def _transcript(ctx: TurnContext) -> str:
    return conversations.transcript(ctx.session, cipher=ctx.cipher, channel=ctx.channel, user_id=ctx.user_id)


def _open_case(s: Session, ctx: TurnContext, *, kind: str, **fields: object) -> Case:
    """A case of this turn's user, with the conversation so far as its transcript."""
    return case_store.open_case(
        s,
        cipher=ctx.cipher,
        kind=kind,
        channel=ctx.channel,
        user_id=ctx.user_id,
        now=ctx.now,
        transcript=_transcript(ctx),
        **fields,  # type: ignore[arg-type]
    )


def _carry_out_one(effect: Effect, ctx: TurnContext) -> str | None:
    s = ctx.session
    match effect:
        case OpenHelpRequest():
            case = _open_case(
                s,
                ctx,
                kind="help",
                need_type=effect.need_type,
                description=redact_numbers(effect.description),
                community=effect.community,
                phone=effect.phone,
                name=effect.name,
                urgency=effect.urgency.value,
            )
            return case.ref
        case RegisterVolunteer():
            case = _open_case(
                s,
                ctx,
                kind="volunteer",
                need_type="volunteer",
                community=effect.community,
                phone=effect.phone,
                name=effect.name,
            )
            case_store.add_volunteer(
                s,
                case=case,
                skills=effect.skills,
                availability=effect.availability,
                service_areas=effect.service_areas,
            )
            return case.ref
        case LinkToOpenCase():
            existing = case_store.get_case(s, ref=effect.case_ref)
            if existing is None:
                return None
            case_store.add_event(
                s, case=existing, event="link", note=redact_numbers(effect.note), now=ctx.now
            )
            return existing.ref
        case EscalateCrisis():
            values = dict(effect.form_values)
            details = {k: v for k, v in values.items() if k not in PERSONAL_FORM_FIELDS}
            details["signal"] = effect.signal
            case = _open_case(
                s,
                ctx,
                kind="crisis",
                need_type="crisis",
                description=redact_numbers(effect.message[:500]),
                community=values.get("community", ""),
                phone=values.get("phone", ""),
                name=values.get("name", ""),
                urgency=Urgency.URGENT.value,
                details=details,
            )
            log.warning("URGENT crisis case %s opened (%s) on %s", case.ref, effect.signal, ctx.channel)
            return case.ref
        case HandOffToHuman():
            case = _open_case(
                s,
                ctx,
                kind="handoff",
                need_type="handoff",
                description=effect.reason,
            )
            return case.ref
        case RecordUnansweredQuestion():
            case_store.record_unanswered(
                s,
                channel=ctx.channel,
                question=redact_numbers(effect.question),
                normalized=redact_numbers(effect.normalized),
                now=ctx.now,
            )
            return None
    raise TypeError(f"unknown effect {effect!r}")
