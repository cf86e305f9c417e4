"""The only code that knows the catalogue's Redis key: `cache:catalogue_version` in the cache Redis
(it may be lost), a random token that every change of a course, its prices or its activities
replaces. Processes keep the published courses they read under the token they read it with
(`selectors.PublishedCourses`); a new token drops those copies everywhere at once. A random token
rather than a counter: a flushed cache starts a new token, never an old number again."""

from uuid import uuid4

from django_redis import get_redis_connection

VERSION_KEY = "cache:catalogue_version"  # the cache Redis's purpose prefix (README "Redis per purpose")


def catalogue_version() -> str:
    """The current token (a plain GET: every cart add and order asks); a missing one (first use,
    a flushed cache) is created here."""
    redis = get_redis_connection("default")
    version = redis.get(VERSION_KEY)
    if version is None:
        redis.set(VERSION_KEY, uuid4().hex, nx=True)  # of two racing first readers, one wins
        version = redis.get(VERSION_KEY)
    return version.decode() if version else uuid4().hex  # evicted at once: a token nobody holds


def new_catalogue_version() -> None:
    get_redis_connection("default").set(VERSION_KEY, uuid4().hex)
