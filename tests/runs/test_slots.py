"""A slot given back wakes the queue only when a look at it went without one."""

from __future__ import annotations

import pytest

from skeino.runs.slots import Slots

pytestmark = pytest.mark.anyio


async def test_a_missed_look_is_retried_when_a_slot_is_back() -> None:
    woken: list[int] = []
    slots = Slots(1, lambda: woken.append(1))
    await slots.take()
    assert slots.free == 0
    slots.note_missed()  # due runs stayed in the queue
    slots.give_back()
    assert woken == [1] and slots.free == 1
    await slots.take()
    slots.give_back()  # nothing was missed this time
    assert woken == [1]


async def test_a_look_with_slots_to_spare_missed_nothing() -> None:
    woken: list[int] = []
    slots = Slots(2, lambda: woken.append(1))
    await slots.take()
    slots.note_missed()
    slots.give_back()
    assert woken == []
