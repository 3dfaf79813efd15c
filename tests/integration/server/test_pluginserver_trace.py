"""``kong-ai-pluginserver -vv`` traces every RPC by method, ids and sizes, and never what the RPC carries.

Kong copies the server's stderr into its error.log, so the trace must not hold the secrets that cross the
socket: StartInstance's config (keys, passwords), header values Kong answers with (``Authorization``,
``Cookie``, API keys), bodies (prompts), and what the plugin hands back to Kong.
"""

from __future__ import annotations

import json
from pathlib import Path

from fixtures.pluginserver_client import our_server_command, server_env, start_server

CONFIG_SECRET = "cfg-secret-7f3a"
BEARER_SECRET = "eyJhbGciOi.bearer-secret-91c2"
COOKIE_SECRET = "session=cookie-secret-4d1e"
API_KEY_SECRET = "sk-api-key-secret-55aa"
PROMPT_SECRET = "prompt-secret: my diagnosis is"
SECRETS = (CONFIG_SECRET, BEARER_SECRET, COOKIE_SECRET, API_KEY_SECRET, PROMPT_SECRET)


def test_the_rpc_trace_names_methods_ids_and_sizes_but_no_secret(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    server = start_server(our_server_command(prefix, "-vv"), prefix / "kong-ai.sock", env=server_env())
    try:
        with server.connect(timeout=5.0) as conn:
            access = [
                ["call", "kong.request.get_headers"],
                ["call", "kong.request.get_raw_body"],
                ["call", "kong.service.request.set_header", "Authorization", f"Bearer {CONFIG_SECRET}"],
            ]
            instance_id = conn.start_instance("example-probe", {"access": json.dumps(access)})
            first = conn.handle_event(instance_id, "access")
            event_id = first["EventId"]
            assert first["Data"]["Method"] == "kong.request.get_headers"
            headers = {
                "authorization": [f"Bearer {BEARER_SECRET}"],
                "cookie": [COOKIE_SECRET],
                "x-api-key": [API_KEY_SECRET],
                "content-type": ["application/json"],
            }
            assert conn.step(event_id, headers, method="plugin.StepMultiMap")["Data"]["Method"] == (
                "kong.request.get_raw_body"
            )
            body = json.dumps({"messages": [{"role": "user", "content": PROMPT_SECRET}]}).encode()
            assert conn.step(event_id, body)["Data"]["Args"][1] == f"Bearer {CONFIG_SECRET}"
            assert conn.step(event_id)["Data"] == "ret"
            conn.call("plugin.CloseInstance", instance_id)

        trace = server.wait_for_stderr(lambda text: "plugin.CloseInstance" in text)
    finally:
        server.terminate()

    for secret in SECRETS:
        assert secret not in trace, secret
    for fragment in ("cookie-secret", "bearer-secret", "sk-api-key", "my diagnosis"):
        assert fragment not in trace, fragment
    rpc_lines = [line for line in trace.splitlines() if "rpc #" in line]
    methods = [
        word for line in rpc_lines if (word := line.split("rpc #", 1)[1].split()[1]).startswith("plugin.")
    ]
    assert methods[:3] == ["plugin.StartInstance", "plugin.HandleEvent", "plugin.StepMultiMap"]
    assert {"plugin.Step", "plugin.CloseInstance"} <= set(methods)
    joined = "\n".join(rpc_lines)
    assert "Name='example-probe'" in joined
    assert f"InstanceId={instance_id} EventName='access'" in joined
    assert f"EventId={event_id} Data=map[4]" in joined
    assert f"EventId={event_id} Data=bin[{len(body)}]" in joined
    assert f"CloseInstance {instance_id} (" in joined
    assert " bytes)" in joined
