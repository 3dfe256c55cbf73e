"""Audit the installed (pinned) dependency set for known vulnerabilities with pip-audit.

pip-audit needs a vulnerability database: OSV (api.osv.dev) or PyPI's per-release JSON API
(pypi.org/pypi/<name>/<version>/json). When neither answers (an offline or firewalled CI
machine), the audit is skipped with a printed note naming what was not checked: a missing
network never fails CI, a found vulnerability does.

Usage: python tools/audit_dependencies.py   (exit 0 = clean or skipped, 1 = vulnerable)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from importlib import metadata

# Overridable so the skip path can be tested against an address that does not answer.
OSV_URL = os.environ.get("SALESBOT_AUDIT_OSV_URL", "https://api.osv.dev/v1/query")
PYPI_URL = os.environ.get("SALESBOT_AUDIT_PYPI_URL", "https://pypi.org/pypi")
TIMEOUT_S = 10.0


def _answers(request: urllib.request.Request) -> bool:
    try:
        # Fixed https URLs above (or a test's loopback override): no user input reaches here.
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310  # nosec B310
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def osv_reachable() -> bool:
    query = {"package": {"name": "pip", "ecosystem": "PyPI"}, "version": metadata.version("pip")}
    request = urllib.request.Request(  # noqa: S310 (fixed https URL, or a test's loopback)
        OSV_URL,
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    return _answers(request)


def pypi_reachable() -> bool:
    # pip-audit's PyPI service reads the per-release page; some mirrors only serve the project page.
    url = f"{PYPI_URL}/pip/{metadata.version('pip')}/json"
    return _answers(urllib.request.Request(url))  # noqa: S310


def installed() -> list[str]:
    names = {dist.metadata["Name"] for dist in metadata.distributions() if dist.metadata["Name"]}
    return sorted(names, key=str.lower)


def main() -> int:
    service = "osv" if osv_reachable() else "pypi" if pypi_reachable() else None
    if service is None:
        packages = installed()
        print(
            "pip-audit SKIPPED: no vulnerability database is reachable from this machine "
            f"({OSV_URL} does not answer and {PYPI_URL}/<name>/<version>/json is not served). "
            f"NOT checked for known vulnerabilities: {len(packages)} installed packages "
            f"({', '.join(packages[:8])}, ...). Run `make audit` where the network allows it."
        )
        return 0
    print(f"pip-audit: checking the installed set against the {service} database")
    command = [sys.executable, "-m", "pip_audit", "--local", "--skip-editable"]
    command += ["--vulnerability-service", service, "--progress-spinner", "off"]
    return subprocess.run(command, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
