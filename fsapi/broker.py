"""The Celery broker's Redis transport: kombu's own, with the fix that keeps a worker alive when
Redis goes away while the worker holds countdowns (`CELERY_BROKER_TRANSPORT` in settings).

Why (kombu 5.7.0, celery 5.7.0): kombu's `Channel.close()` first reads the reply of the BRPOP it
has outstanding. With the server gone that read raises `ConnectionError`, and `close()` stops
right there: the channel stays open and still owes its unacknowledged messages — every
`order_timeout` countdown the worker holds in memory. Celery's reconnect
(`Consumer.on_connection_error_after_connected`) swallows that error in `connection.collect()`,
which also detaches the transport (`transport.client = None`), then calls `connection.close()`,
which closes the same channel a second time. No BRPOP is outstanding now, so it goes on to put
the unacknowledged messages back on their queue: it builds a fresh connection pool from
`transport.client`, which is `None` — `AttributeError: 'NoneType' object has no attribute
'hostname'` in `_connparams`. That is no connection error, so celery calls it unrecoverable and
the worker exits. An idle worker holds nothing to restore and survives.

Here the broken BRPOP is dropped the way kombu drops an empty one, so the first `close()` really
closes the channel and the second finds nothing to do. Its unacknowledged messages cannot be put
back while Redis is down: they stay in Redis's `unacked` hash (when Redis kept its data) and come
back after the visibility timeout; the beat sweep (`expire_overdue_orders`) times their orders out
meanwhile, and a countdown that runs late changes nothing.
"""

import logging
from queue import Empty

from kombu.transport import redis

logger = logging.getLogger("fsapi.broker")


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        if client is None and self.channel.connection.client is None:
            # the transport was detached from its connection: no pool can be built any more, and
            # the messages are still in Redis's unacked hash, which re-delivers them in time
            logger.warning("broker connection gone: %d unacknowledged message(s) left to the visibility timeout",
                           len(self._delivered))  # fmt: skip
            return None
        return super().restore_unacked(client)


class Channel(redis.Channel):
    QoS = QoS

    def close(self):
        self._closing = True
        if self._in_poll:
            try:
                self._brpop_read()
            except Empty:
                pass
            except self.connection_errors as exc:
                logger.info("broker connection lost during a poll (%r): closing the channel anyway", exc)
        super().close()


class Transport(redis.Transport):
    Channel = Channel
