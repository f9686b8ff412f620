"""Dependency audit for `make test`: pip-audit against the pinned requirements (requirements/base.txt).

- A known vulnerability in a pinned package fails the build (exit 1), with the advisories listed.
- When the vulnerability service cannot be reached (no network, or a package index that does not serve
  the advisory data), the audit says so and the build goes on (exit 0): the suite must run offline.
  `--strict` (or DEPENDENCY_AUDIT_STRICT=1, e.g. in a CI that has the Internet) fails instead.
- Any other failure of pip-audit itself (a broken requirements file) fails the build.

pip-audit reads the pins as written (`--disable-pip`, `--require-hashes`): it installs nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements" / "base.txt"
TIMEOUT = 300
# How pip-audit reports that it could not reach the service (requests / urllib3 errors).
UNREACHABLE = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Max retries exceeded",
    "Failed to establish a new connection",
    "NameResolutionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ProxyError",
    "SSLError",
    "timed out",
)


def run_pip_audit(requirements: Path) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--require-hashes",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)  # noqa: S603
        except subprocess.TimeoutExpired:
            return 124, "", f"pip-audit timed out after {TIMEOUT} s"
        return result.returncode, report.read_text() if report.exists() else "", result.stderr


def judge(returncode: int, report: str, stderr: str, strict: bool = False) -> tuple[int, list[str]]:
    """The exit status and the lines to print, from pip-audit's exit status, JSON report and stderr."""
    try:
        dependencies = json.loads(report)["dependencies"] if report.strip() else None
    except (ValueError, KeyError, TypeError):
        dependencies = None
    if dependencies is None:
        if any(sign in stderr for sign in UNREACHABLE) or returncode == 124:
            return _unreachable(strict, "the vulnerability service could not be reached")
        return 1, ["dependency audit: pip-audit failed:", *stderr.strip().splitlines()[-15:]]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if vulnerable:
        lines = ["dependency audit: known vulnerabilities in pinned packages:"]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                lines.append(f"  {dep['name']} {dep.get('version', '?')}: {vuln['id']} (fixed in {fixed})")
        lines.append("Upgrade the pin (make lock UPGRADE=1, or pip-compile --upgrade-package NAME) and run make test.")
        return 1, lines
    if not audited:
        return _unreachable(strict, f"the vulnerability service answered for none of the {len(dependencies)} packages")
    skipped = len(dependencies) - len(audited)
    note = f" ({skipped} could not be looked up)" if skipped else ""
    return 0, [f"dependency audit: no known vulnerabilities in {len(audited)} pinned packages{note}."]


def _unreachable(strict: bool, why: str) -> tuple[int, list[str]]:
    if strict:
        return 1, [f"dependency audit: NOT DONE: {why} (strict mode)."]
    return 0, [f"dependency audit: skipped: {why}; the build goes on (run it where the Internet is reachable)."]


def main(argv: list[str]) -> int:
    strict = "--strict" in argv or os.environ.get("DEPENDENCY_AUDIT_STRICT", "") in {"1", "true", "yes"}
    status, lines = judge(*run_pip_audit(REQUIREMENTS), strict=strict)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
