"""Red team in a box: a bounded hostile-input battery run against a deployed gateway (``kong-ai redteam``).

The package never imports plugin code: it speaks HTTP to whatever gateway the operator names (ours through
the emulator, a real Kong, a staging host), so what it reports is what a client of that gateway would see.
"""
