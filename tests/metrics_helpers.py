"""Read the Prometheus counters the way a scrape sees them."""

from prometheus_client import REGISTRY


def sample(name: str, **labels) -> float:
    """The current value of `name` (0 before the first increment)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """`with Delta("fsapi_orders_created_total") as d: …` then `d.value`: how much it moved."""

    def __init__(self, name: str, **labels):
        self.name, self.labels = name, labels

    def __enter__(self):
        self.before = sample(self.name, **self.labels)
        return self

    def __exit__(self, *exc):
        self.value = sample(self.name, **self.labels) - self.before
