"""``kong-ai policy test``: the shipped tier templates pass their case files; a mismatch fails the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from kong_plugins.cli.main import main

POLICIES = Path(__file__).resolve().parents[3] / "declarative" / "policies"


@pytest.mark.parametrize("tier", ["free", "pro", "enterprise"])
def test_each_tier_template_passes_its_cases(tier: str, capsys) -> None:
    code = main(
        ["policy", "test", str(POLICIES / f"{tier}.cedar"), "--cases", str(POLICIES / f"{tier}.cases.yaml")]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert " 0 failed" in out


def test_a_mismatch_fails_with_the_case_named(tmp_path: Path, capsys) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n"
        "  - {name: shell is fine, tenant: acme, tier: pro, tool_call: {name: shell}, expect: allow}\n"
        "  - {name: search is fine, tenant: acme, tier: pro, tool_call: {name: search}, expect: allow}\n"
    )
    assert main(["policy", "test", str(POLICIES / "pro.cedar"), "--cases", str(cases)]) == 1
    out = capsys.readouterr().out
    assert "FAIL shell is fine: expected allow, got deny (action: no-shell)" in out
    assert "1 passed, 1 failed" in out


def test_an_invalid_policy_or_case_file_is_an_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.cedar"
    bad.write_text('permit(principal, action == Action::"files.delete", resource);')
    assert main(["policy", "test", str(bad), "--cases", str(POLICIES / "pro.cases.yaml")]) == 1
    assert "does not validate against the schema" in capsys.readouterr().err
    cases = tmp_path / "cases.yaml"
    cases.write_text("cases: [{name: x, expect: maybe}]\n")
    assert main(["policy", "test", str(POLICIES / "pro.cedar"), "--cases", str(cases)]) == 1
    assert "'expect' must be allow or deny" in capsys.readouterr().err
