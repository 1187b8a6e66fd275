"""FastAPI dependencies over what `create_app` puts on `app.state`: sessions and the clock.

They live here, not in `api`, because each capability's routes use them and `api` sits above
every capability.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.db.session import unit_of_work
from singlewindow.kit.clock import Clock


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the route returns, rolled back on error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with unit_of_work(factory) as session:
        yield session


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_now(request: Request) -> datetime:
    return get_clock(request)()


# scope="function": commit before the response is sent, so a failed commit is not a 200.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
NowDep = Annotated[datetime, Depends(get_now)]
