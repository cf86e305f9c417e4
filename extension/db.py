"""Database helpers shared by the services."""

import functools
import logging
import random
import time

from django.db import OperationalError, connection

logger = logging.getLogger("fsapi.db")

# MySQL/MariaDB: 1213 deadlock found, 1205 lock wait timeout; SQLite: the file was busy too long
RETRYABLE_MYSQL_CODES = {1213, 1205}


def is_retryable(error: OperationalError) -> bool:
    code = error.args[0] if error.args else None
    return code in RETRYABLE_MYSQL_CODES or "database is locked" in str(error)


def retry_on_deadlock(function=None, *, attempts: int = 3, base_delay: float = 0.05):
    """Run the decorated service again (up to `attempts` times in all) when the database chose it
    as a deadlock victim: its transaction was rolled back whole, so running it again is safe.
    Inside an enclosing transaction it does not retry (the outer one must be redone instead)."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return service(*args, **kwargs)
                except OperationalError as error:
                    if connection.in_atomic_block or not is_retryable(error) or attempt == attempts:
                        raise
                    logger.warning("%s: %s, retrying (%d/%d)", service.__name__, error, attempt, attempts)
                    time.sleep(base_delay * attempt * (1 + random.random()))

        return wrapper

    return decorate(function) if function is not None else decorate
