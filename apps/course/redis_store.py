"""The only code that knows the catalogue's Redis key: `catalogue_version` in the default cache
(it may be lost), a random token that every change of a course, its prices or its activities
replaces. Processes keep the published courses they read under the token they read it with
(`selectors.PublishedCourses`); a new token drops those copies everywhere at once. A random token
rather than a counter: a flushed cache starts a new token, never an old number again."""

from uuid import uuid4

from django.core.cache import cache

VERSION_KEY = "catalogue_version"


def catalogue_version() -> str:
    """The current token; a missing one (first use, a flushed cache) is created here."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)  # of two racing first readers, one wins
        version = cache.get(VERSION_KEY)
    return version or uuid4().hex  # evicted at once: a token nobody holds, so nothing cached is used


def new_catalogue_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)
