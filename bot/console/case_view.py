"""Everything the case page shows, masked: details, transcript, history, deliveries, next statuses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import local
from bot.console.labels import labels
from bot.console.masking import mask_name, mask_phone, mask_text
from bot.console.workflow import workflow
from bot.models import Case, OutboundMessage, PiiReveal
from bot.pii import PiiCipher


@dataclass(frozen=True, slots=True)
class EventLine:
    at: datetime
    event: str
    from_status: str | None
    to_status: str | None
    note: str
    actor: str


@dataclass(frozen=True, slots=True)
class DeliveryLine:
    at: datetime
    status: str
    detail: str
    text: str


@dataclass(frozen=True, slots=True)
class VolunteerInfo:
    skills: str
    availability: str
    service_areas: str


@dataclass(frozen=True, slots=True)
class CaseDetail:
    ref: str
    kind: str
    status: str
    urgency: str
    need_type: str
    description: str
    community: str
    channel: str
    created_at: datetime
    updated_at: datetime
    name: str  # masked
    phone: str  # masked
    has_name: bool
    has_phone: bool
    details: tuple[tuple[str, str], ...]
    volunteer: VolunteerInfo | None
    transcript: tuple[str, ...]
    events: tuple[EventLine, ...]
    deliveries: tuple[DeliveryLine, ...]
    targets: tuple[str, ...]
    reveal_count: int

    @property
    def is_open(self) -> bool:
        return self.status in workflow().open_statuses


def _details(raw: str, *, name: str, phone: str) -> tuple[tuple[str, str], ...]:
    try:
        values = json.loads(raw or "{}")
    except ValueError:
        return ()
    if not isinstance(values, dict):
        return ()
    names = labels()
    rows = []
    for key, value in sorted(values.items()):
        text = names.signal(str(value)) if key == "signal" else str(value)
        rows.append((names.detail(key), mask_text(text, name=name, phone=phone)))
    return tuple(rows)


def case_detail(session: Session, *, case: Case, cipher: PiiCipher, role: str) -> CaseDetail:
    """The case as the console shows it to a member of `role`; names and phones masked throughout."""
    decrypt = cipher.decrypt
    name = decrypt(case.name_enc)
    phone = decrypt(case.phone_enc)
    names = labels()
    volunteer = None
    if case.volunteer is not None:
        volunteer = VolunteerInfo(
            skills=names.skills(case.volunteer.skills),
            availability=names.availability(case.volunteer.availability),
            service_areas=names.areas(case.volunteer.service_areas),
        )
    transcript = mask_text(decrypt(case.transcript_enc), name=name, phone=phone)
    deliveries = session.execute(
        select(OutboundMessage).where(OutboundMessage.case_id == case.id).order_by(OutboundMessage.id)
    ).scalars()
    reveal_count = session.scalar(
        select(func.count()).select_from(PiiReveal).where(PiiReveal.case_id == case.id)
    )
    return CaseDetail(
        ref=case.ref,
        kind=case.kind,
        status=case.status,
        urgency=case.urgency,
        need_type=case.need_type,
        description=mask_text(case.description, name=name, phone=phone),
        community=case.community,
        channel=case.channel,
        created_at=local(case.created_at),
        updated_at=local(case.updated_at),
        name=mask_name(name),
        phone=mask_phone(phone),
        has_name=bool(name),
        has_phone=bool(phone),
        details=_details(case.details_json, name=name, phone=phone),
        volunteer=volunteer,
        transcript=tuple(line for line in transcript.splitlines() if line.strip()),
        events=tuple(
            EventLine(
                at=local(e.created_at),
                event=e.event,
                from_status=e.from_status,
                to_status=e.to_status,
                note=mask_text(e.note, name=name, phone=phone),
                actor=e.actor,
            )
            for e in case.events
        ),
        deliveries=tuple(
            DeliveryLine(
                at=local(d.created_at),
                status=d.status,
                detail=d.detail,
                text=mask_text(d.text, name=name, phone=phone),
            )
            for d in deliveries
        ),
        targets=workflow().targets(case.status, role=role),
        reveal_count=reveal_count or 0,
    )
