"""URL converters: ids that fit a 64-bit column, and 24-digit order numbers kept as strings."""


class IdConverter:
    """A positive id of at most 18 digits: a longer one is a 404 at routing, never a database
    overflow (SQLite refuses integers past 64 bits)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class OrderNumberConverter:
    """An order number: 24 digits, kept as a string (never an int)."""

    regex = "[0-9]{24}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)
