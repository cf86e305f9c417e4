"""A question a lower app asks and a higher app answers.

Layers run one way (course/users < cart/coupon < orders < payments), yet the cart must mark lines
that wait in an unpaid order and the course page must tell its viewer whether they own it. The
lower app declares a `Hook` with a safe default answer; the higher app connects its selector in
its `AppConfig.ready`. The import goes upward only at start-up, from the higher app.
"""

from collections.abc import Callable


class Hook:
    """One answerer at most: connecting again replaces it (Django's autoreload, tests)."""

    def __init__(self, name: str, default: Callable):
        self.name, self._default, self._answer = name, default, None

    def connect(self, answer: Callable) -> None:
        self._answer = answer

    def __call__(self, **kwargs):
        return (self._answer or self._default)(**kwargs)
