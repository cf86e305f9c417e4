"""Run callables at the same instant in threads, each with its own database connection."""

import threading

from django.db import connections


def run_concurrently(*callables, timeout: float = 60) -> list:
    """Start every callable together (a barrier), wait for all; answers each one's return value
    or the exception it raised, in order."""
    barrier = threading.Barrier(len(callables))
    results: list = [None] * len(callables)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # the race's losers raise typed errors: keep them as results
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a racing thread did not finish (deadlock?)"
    return results
