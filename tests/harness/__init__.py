"""The gateway harness: an emulation of Kong 3.x's side of the plugin-server protocol, for tests."""
