from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import VALID, sample
from strategies import messages

from singlewindow.message import MESSAGE_TYPES, Message, check, decode, render


@pytest.mark.parametrize("message_type", [pytest.param(t, id=f"{t}_case") for t in MESSAGE_TYPES])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_is_identity(message_type: str, data: st.DataObject) -> None:
    message: Message = data.draw(messages(message_type))
    rendered = render(message)
    assert decode(rendered) == message
    assert render(decode(rendered)) == rendered


@pytest.mark.parametrize("message_type", [pytest.param(t, id=f"{t}_case") for t in VALID])
def test_official_samples_round_trip(message_type: str) -> None:
    message = decode(sample(message_type))
    rendered = render(message)
    assert rendered.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<ceb:')
    assert f'<ceb:{message_type}Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"'.encode() in (
        rendered
    )
    assert decode(rendered) == message
    assert check(rendered).valid is True
