"""All entities in one message: case references, phones, dates/times, target groups and places.

Spans of different kinds never overlap. When two finders claim the same characters, the earlier
kind in this order wins: case reference, phone, date/time, target group, place. So the digits of
HR-20261123-0001 are not a phone, and a phone's digits are not a date.

Places: exact full names ("莲花北社区", "福田区") and bare district/street names ("福田", "华强北")
always count. Bare community names and fuzzy community matches (similarity >= the entity cut-off
in data/place_matching.yml) count only when the message has a place hint (社区, 街道, 小区, 村, 住...)
or is short, as a form answer is. Same-name communities that the text does not tell apart come
back as several COMMUNITY entities with the same span, one per candidate, detail "区 街道".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from nlu.case_refs import find_case_refs
from nlu.dates import find_dates
from nlu.phones import find_phones
from nlu.places import PlaceMatch, load_gazetteer
from nlu.target_groups import find_target_groups
from nlu.types import Entity, EntityKind

# Shenzhen keeps UTC+8 all year (no daylight saving), so a fixed offset needs no time-zone data.
SHENZHEN_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
_PLACE_KINDS = {
    "district": EntityKind.DISTRICT,
    "street": EntityKind.STREET,
    "community": EntityKind.COMMUNITY,
}


def find_places(text: str) -> tuple[Entity, ...]:
    """District, street and community mentions (value = gazetteer name, detail = containing units)."""
    gazetteer = load_gazetteer()
    matches = gazetteer.find(text, fuzzy_cutoff=gazetteer.rules.fuzzy.entity_cutoff)
    return tuple(_place_entity(m) for m in matches)


def _place_entity(m: PlaceMatch) -> Entity:
    detail = " ".join(p for p in (m.district, m.street) if p)
    return Entity(_PLACE_KINDS[m.level], m.name, m.text, m.start, m.end, m.score, detail)


def _merge(groups: Iterable[tuple[Entity, ...]], size: int) -> tuple[Entity, ...]:
    """Keep entities whose span does not overlap a span already kept for an earlier kind."""
    kept: list[Entity] = []
    taken = bytearray(size)
    for group in groups:
        accepted = [e for e in group if not any(taken[e.start : e.end])]
        for e in accepted:
            taken[e.start : e.end] = b"\x01" * (e.end - e.start)
        kept.extend(accepted)
    kept.sort(key=lambda e: (e.start, e.end))
    return tuple(kept)


def extract_entities(text: str, *, now: datetime | None = None) -> tuple[Entity, ...]:
    """Every entity in `text` (already normalised), sorted by start.

    `now` anchors relative dates (明天, 下周三); by default the current time in Shenzhen.
    """
    if not text or not text.strip():
        return ()
    moment = now if now is not None else datetime.now(SHENZHEN_TZ)
    return _merge(
        (
            find_case_refs(text),
            find_phones(text),
            find_dates(text, moment),
            find_target_groups(text),
            find_places(text),
        ),
        len(text),
    )
