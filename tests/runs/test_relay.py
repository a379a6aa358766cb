"""The event log's packing: any events survive a round trip, in order, byte for byte."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from skeino.runs.events import EncodedEvent
from skeino.runs.relay import pack, unpack
from skeino.runs.subscription import Envelope

names = st.sampled_from(["custom", "values", "messages/partial", "updates|sub:1", "error"])
events = st.builds(
    lambda ms, seq, name, data: Envelope(f"{ms}-{seq}", EncodedEvent(name, data)),
    st.integers(0, 2**45),
    st.integers(0, 10**6),
    names,
    st.binary(max_size=200),
)


@given(st.lists(events, max_size=30))
def test_pack_then_unpack_gives_back_every_event(items: list[Envelope]) -> None:
    assert list(unpack(pack(items))) == items
