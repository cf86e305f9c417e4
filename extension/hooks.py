"""Questions a lower app asks and news it tells, answered and heard by higher apps.

Layers run one way (.importlinter), yet the cart must mark lines that wait in an unpaid order,
the course page must tell its viewer whether they own it, and Alipay's trades must be closed when
orders leave "unpaid". The lower app declares a `Hook` (a question, with a safe default answer) or
an `Event` (news, any number of listeners); the higher app connects its function in its
`AppConfig.ready`. No import goes upward: the higher app imports the lower one, at start-up.
"""

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger("fsapi")


class Hook:
    """One answerer at most: connecting again replaces it (Django's autoreload, tests)."""

    def __init__(self, name: str, default: Callable):
        self.name, self._default, self._answer = name, default, None

    def connect(self, answer: Callable) -> None:
        self._answer = answer

    def __call__(self, **kwargs):
        return (self._answer or self._default)(**kwargs)


class Event:
    """News for any number of listeners, each called with the sender's keyword arguments. A
    listener that fails is logged and skipped: the sender's work (and the other listeners) go on."""

    def __init__(self, name: str):
        self.name, self._listeners = name, []

    def connect(self, listener: Callable) -> None:
        if listener not in self._listeners:  # Django's autoreload, tests: connect once
            self._listeners.append(listener)

    @property
    def has_listeners(self) -> bool:
        return bool(self._listeners)

    def send(self, **kwargs) -> None:
        for listener in list(self._listeners):
            try:
                listener(**kwargs)
            except Exception:
                logger.warning("%s: listener %r failed", self.name, listener, exc_info=True)

    def send_on_commit(self, **kwargs) -> None:
        """`send` once the caller's transaction commits (never, when it rolls back)."""
        if self._listeners:
            transaction.on_commit(partial(self.send, **kwargs))
