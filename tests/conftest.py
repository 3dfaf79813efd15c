"""Root test configuration: shared fixtures live in tests/fixtures/ and are loaded here."""

pytest_plugins = ["fixtures.redis_servers", "fixtures.gateway"]
