"""Whether a failed Redis call may still have run: what the token limiter's journal decides from."""

from __future__ import annotations

import pytest
import redis.exceptions as redis_exc

from kong_plugins.core.errors import RedisUnavailable
from kong_plugins.core.redis import redis_errors


@pytest.mark.parametrize(
    ("exc", "in_doubt"),
    [
        (redis_exc.ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused."), False),
        (redis_exc.TimeoutError("Timeout connecting to server"), False),
        (redis_exc.ConnectionError("No connection available."), False),
        (redis_exc.BusyLoadingError("Redis is loading the dataset in memory"), False),
        (redis_exc.ClusterDownError("CLUSTERDOWN The cluster is down"), False),
        (redis_exc.ReadOnlyError("You can't write against a read only replica."), False),
        (redis_exc.TimeoutError("Timeout reading from 127.0.0.1:6379"), True),
        (redis_exc.ConnectionError("Connection closed by server."), True),
        (redis_exc.ConnectionError("Error while reading from socket: (104, 'reset')"), True),
    ],
)
def test_a_call_is_in_doubt_unless_it_never_left(exc: Exception, in_doubt: bool) -> None:
    with pytest.raises(RedisUnavailable) as raised, redis_errors("lua script"):
        raise exc
    assert raised.value.in_doubt is in_doubt
