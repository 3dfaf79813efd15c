"""Root test configuration: shared fixtures live in tests/fixtures/ and are loaded here.

Before anything else, the session takes the local stack's ports from ``scripts/pongo`` (fixtures/stack.py),
so that no fixture or test module falls back to a default port.
"""

from fixtures.stack import adopt_stack_env

adopt_stack_env()

pytest_plugins = ["fixtures.redis_servers", "fixtures.gateway", "fixtures.raw_upstream", "fixtures.tcp_proxy"]
