"""``kong-ai``, the admin command line: a dispatcher (:mod:`.main`) and one module per command group."""
