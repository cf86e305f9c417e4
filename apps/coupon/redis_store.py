"""The only code that knows how coupon records are kept in Redis (connection `coupon`):
a hash per record at `"{user_id}:{coupon_log_id}"` expiring at the coupon's end, and a set per
user, `coupon_index_{user_id}`, naming the user's record ids so a listing never scans the keyspace.
Only records in the index are offered: a record bound to an unpaid order leaves the index but keeps
its hash, so that cancelling the order puts it back with one command instead of a rebuild (anything
that changes the record or its coupon rewrites or removes the hash, so a hash kept is never stale)."""

from django_redis import get_redis_connection


def _redis():
    return get_redis_connection("coupon")


def coupon_key(user_id: int, coupon_log_id: int) -> str:
    return f"{user_id}:{coupon_log_id}"


def index_key(user_id: int) -> str:
    return f"coupon_index_{user_id}"


# records per MULTI/EXEC: one round trip for a sweep batch (500), a bounded one for a full rebuild
CHUNK = 1000


def write_many(records) -> None:
    """Write (user_id, coupon_log_id, fields, expire_at) records, each replacing the record's
    hash whole, in one MULTI/EXEC round trip per CHUNK records (a reader never sees a record
    half-written)."""
    records = list(records)
    for start in range(0, len(records), CHUNK):
        pipe = _redis().pipeline()
        for user_id, coupon_log_id, fields, expire_at in records[start : start + CHUNK]:
            key = coupon_key(user_id, coupon_log_id)
            pipe.delete(key)
            pipe.hset(key, mapping=fields)
            pipe.expireat(key, int(expire_at.timestamp()))
            pipe.sadd(index_key(user_id), coupon_log_id)
        pipe.execute()


def remove_many(entries) -> None:
    """Remove (user_id, coupon_log_id) records and their index entries, in one round trip per
    CHUNK users."""
    by_user: dict[int, list[int]] = {}
    for user_id, coupon_log_id in entries:
        by_user.setdefault(user_id, []).append(coupon_log_id)
    users = list(by_user.items())
    for start in range(0, len(users), CHUNK):
        pipe = _redis().pipeline()
        for user_id, log_ids in users[start : start + CHUNK]:
            pipe.delete(*[coupon_key(user_id, log_id) for log_id in log_ids])
            pipe.srem(index_key(user_id), *log_ids)
        pipe.execute()


def hide_many(entries) -> None:
    """Take (user_id, coupon_log_id) records out of their users' index (no longer offered) but keep
    their hashes, for `show_many`; one round trip."""
    by_user: dict[int, list[int]] = {}
    for user_id, coupon_log_id in entries:
        by_user.setdefault(user_id, []).append(coupon_log_id)
    if not by_user:
        return
    pipe = _redis().pipeline(transaction=False)
    for user_id, log_ids in by_user.items():
        pipe.srem(index_key(user_id), *log_ids)
    pipe.execute()


# put a record back in its index only if its hash is still there (atomic: an expiry or a removal
# cannot slip between the check and the add); answers the positions of the records whose hash is gone
SHOW_IF_KEPT = """
local missing = {}
for i = 1, #KEYS, 2 do
    if redis.call('EXISTS', KEYS[i]) == 1 then
        redis.call('SADD', KEYS[i + 1], ARGV[(i + 1) / 2])
    else
        table.insert(missing, (i + 1) / 2)
    end
end
return missing
"""


def show_many(entries) -> list[tuple[int, int]]:
    """Offer hidden (user_id, coupon_log_id) records again whose hash was kept; answers those whose
    hash is gone (expired, removed by a change meanwhile, or never written), for a full write. One
    round trip."""
    entries, gone = list(entries), []
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        keys = [key for user_id, log_id in chunk for key in (coupon_key(user_id, log_id), index_key(user_id))]
        missing = _redis().eval(SHOW_IF_KEPT, len(keys), *keys, *[log_id for _, log_id in chunk])
        gone += [chunk[position - 1] for position in missing]
    return gone


def read_all(user_id: int) -> list[dict]:
    """Every record of the user still in Redis, each with `user_coupon_id`; expired ones are
    dropped from the index on the way."""
    redis = _redis()
    log_ids = sorted(int(member) for member in redis.smembers(index_key(user_id)))
    if not log_ids:
        return []
    pipe = redis.pipeline()
    for log_id in log_ids:
        pipe.hgetall(coupon_key(user_id, log_id))
    records, expired = [], []
    for log_id, raw in zip(log_ids, pipe.execute(), strict=True):
        if not raw:
            expired.append(log_id)
            continue
        record = {key.decode(): value.decode() for key, value in raw.items()}
        record["user_coupon_id"] = log_id
        records.append(record)
    if expired:
        redis.srem(index_key(user_id), *expired)
    return records


def all_entries() -> dict[int, set[int]]:
    """{user_id: {coupon_log_id}} of everything in Redis (for the rebuild; SCAN, not KEYS)."""
    redis = _redis()
    entries: dict[int, set[int]] = {}
    for key in redis.scan_iter(match="coupon_index_*", count=1000):
        user_id = int(key.decode().rsplit("_", 1)[1])
        entries.setdefault(user_id, set()).update(int(member) for member in redis.smembers(key))
    for key in redis.scan_iter(match="*:*", count=1000):
        user_part, _, log_part = key.decode().partition(":")
        if user_part.isdigit() and log_part.isdigit():
            entries.setdefault(int(user_part), set()).add(int(log_part))
    return entries
