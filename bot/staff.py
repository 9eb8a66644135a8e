"""What staff do to a case, with the resident told through their channel."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot import case_store, conversations
from bot.clock import Clock
from bot.errors import CaseNotFound
from bot.models import OutboundMessage
from bot.outbound import Delivery, Outbox
from dialogs import texts
from dialogs.replies import Reply
from nlu.replies_script import to_script

STAFF_REPLY = "【社区工作人员回复】{ref}:{text}"
STATUS_CHANGED = "您的登记 {ref} 有新进度:{status}。"


@dataclass(frozen=True, slots=True)
class StaffActionResult:
    ref: str
    delivery: Delivery


class StaffDesk:
    def __init__(self, *, sessions: sessionmaker[Session], outbox: Outbox, clock: Clock) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._clock = clock

    async def reply(self, *, ref: str, text: str, actor: str) -> StaffActionResult:
        """Record a staff answer on the case and deliver it to the resident."""
        message = STAFF_REPLY.replace("{ref}", ref).replace("{text}", text.strip())
        return await self._act(ref=ref, actor=actor, message=message, staff_reply=text.strip())

    async def set_status(self, *, ref: str, status: str, actor: str, note: str = "") -> StaffActionResult:
        label = texts.STATUS_LABELS.get(status, status)
        message = STATUS_CHANGED.replace("{ref}", ref).replace("{status}", label)
        if note:
            message += f"\n{note}"
        return await self._act(ref=ref, actor=actor, message=message, status=status, note=note)

    async def _act(
        self, *, ref: str, actor: str, message: str, staff_reply: str = "", status: str = "", note: str = ""
    ) -> StaffActionResult:
        now = self._clock()
        with self._sessions.begin() as session:
            case = case_store.get_case(session, ref=ref)
            if case is None:
                raise CaseNotFound(ref)
            if status:
                case_store.change_status(
                    session, case=case, to_status=status, actor=actor, now=now, note=note
                )
            if staff_reply:
                case_store.add_event(
                    session, case=case, event="staff_reply", note=staff_reply, actor=actor, now=now
                )
            channel, user_id, case_id = case.channel, case.user_id, case.id
            message = to_script(message, conversations.script_of(session, channel=channel, user_id=user_id))
        # The platform call happens after the case change is committed: a slow or failed delivery
        # never rolls back what staff did; its result is recorded on its own.
        delivery = await self._outbox.send(channel, user_id, (Reply(message),))
        with self._sessions.begin() as session:
            session.add(
                OutboundMessage(
                    case_id=case_id,
                    channel=channel,
                    user_id=user_id,
                    text=message,
                    status=delivery.status,
                    detail=delivery.detail,
                    created_at=self._clock(),
                )
            )
        return StaffActionResult(ref=ref, delivery=delivery)
