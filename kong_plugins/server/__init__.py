"""``kong-ai-pluginserver``: one plugin server process that serves every kong-ai-guard plugin to Kong.

It speaks exactly what Kong 3.x speaks to kong-pdk's ``kong-python-pluginserver`` (MessagePack-RPC over a Unix
stream socket, kong-protocol.md §2) and hands plugins kong-pdk's own ``kong`` object, so any kong-pdk plugin
module runs unchanged. What it does differently, and why:

* fails closed: a handler that raises or hangs is answered with ``kong.response.error(500)`` at once, where
  kong-pdk never answers and Kong proceeds without the plugin after 60 s;
* survives non-UTF-8 strings from Kong (``surrogateescape``) instead of dropping the connection;
* holds no global lock while a handler runs, and forgets finished events (no leak, no stuck thread);
* prints valid plugin info for Kong 3.9+'s one-plugin-per-query-command model (``--dump NAME``).

Modules, one job each:

``cli``        flags, dumps, start-up and shut-down (``--runtime green|threads``)
``loop``       ``--runtime green``: one epoll loop owns every connection, streaming msgpack decoding
``green``      ``--runtime green``: each event's handler in a greenlet; blocking work on worker threads
``registry``   which plugins exist; loading and validating a plugin module
``transport``  the Unix socket; ``--runtime threads``: a thread per connection, msgpack framing
``dispatch``   the ``plugin.*`` RPC methods and their parameters
``runtime``    plugin instances and the event table
``events``     ``--runtime threads``: one event, handler thread ↔ Kong, fail-closed answers
``pool``       reusable daemon threads for handlers
``wire``       msgpack encoding rules (str/bin, surrogateescape)
``lifecycle``  signals and the parent watchdog
``logs``       stderr log lines that stay readable inside Kong's error.log
"""
