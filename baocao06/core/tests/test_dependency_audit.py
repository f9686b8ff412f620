"""The dependency audit of `make test`: fails on a known vulnerability, goes on when offline."""

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "dependency_audit.py"
spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


DJANGO_OK = {"name": "django", "version": "5.2.19", "vulns": []}
NOT_FOUND = {"name": "segno", "skip_reason": "Dependency not found on PyPI and could not be audited: segno (1.6.6)"}
VULNERABLE = {
    "name": "django",
    "version": "5.2.0",
    "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"], "aliases": [], "description": "…"}],
}


def test_a_known_vulnerability_fails_the_build_and_names_the_fix():
    status, lines = audit.judge(1, report(VULNERABLE, NOT_FOUND), "")
    assert status == 1
    assert "  django 5.2.0: PYSEC-2025-1 (fixed in 5.2.2)" in lines


def test_no_network_skips_with_a_message():
    stderr = "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org'): Max retries exceeded"
    status, lines = audit.judge(1, "", stderr)
    assert status == 0
    assert lines[0].startswith("dependency audit: skipped: the vulnerability service could not be reached")


def test_an_index_that_knows_no_advisories_counts_as_unreachable():
    status, lines = audit.judge(0, report(NOT_FOUND, NOT_FOUND), "")
    assert status == 0
    assert "answered for none of the 2 packages" in lines[0]


def test_strict_mode_fails_when_nothing_could_be_audited():
    assert audit.judge(0, report(NOT_FOUND), "", strict=True)[0] == 1
    assert audit.judge(1, "", "Temporary failure in name resolution", strict=True)[0] == 1


def test_a_clean_audit_passes_and_says_how_many_were_checked():
    status, lines = audit.judge(0, report(DJANGO_OK, NOT_FOUND), "")
    assert status == 0
    assert lines == ["dependency audit: no known vulnerabilities in 1 pinned packages (1 could not be looked up)."]


def test_a_broken_requirements_file_fails_the_build():
    status, lines = audit.judge(1, "", "ERROR: Invalid requirement: 'django=='")
    assert status == 1
    assert lines[0] == "dependency audit: pip-audit failed:"
