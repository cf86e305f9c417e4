"""What the catalogue asks about its viewer, answered by a higher app (orders connects it in its
`AppConfig.ready`, see extension/hooks.py): the catalogue itself knows nothing of purchases."""

from extension.hooks import Hook


def _nobody_owns(*, user_id: int, course_id: int) -> dict:
    return {"owned": False, "unpaid_order": None}


# viewer_state(user_id=…, course_id=…) -> {"owned": bool, "unpaid_order": order number or None}
viewer_state = Hook("course.viewer_state", default=_nobody_owns)
ANONYMOUS_VIEWER = {"owned": False, "unpaid_order": None}
