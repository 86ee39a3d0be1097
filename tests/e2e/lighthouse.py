"""Lighthouse (npm ``lighthouse`` 12.x) on pages of a running server, in Debian's
Chromium with the browser tests' flags: SEO, accessibility and best practices, with
Lighthouse's default (mobile) settings. tests/e2e/test_lighthouse.py holds the pages to
the service's bar; by hand, against ``scripts/run``::

    .venv/bin/python -m tests.e2e.lighthouse http://127.0.0.1:8000 / /questions /questions/1
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, ROOT

SCRIPT = Path(__file__).with_name("lighthouse.mjs")
INSTALLED = ROOT / "node_modules" / "lighthouse" / "package.json"
# The bar: SEO and accessibility full marks, best practices at least 96.
BAR = {"seo": 100, "accessibility": 100, "best-practices": 96}


def missing() -> str | None:
    """What is missing to run Lighthouse here, if anything."""
    if shutil.which("node") is None:
        return "Node.js"
    if not INSTALLED.exists():
        return "Lighthouse (npm ci)"
    if not Path(CHROMIUM).exists():
        return f"Chromium at {CHROMIUM}"
    return None


def audit(base: str, paths: Sequence[str]) -> list[dict[str, Any]]:
    """Each path's scores (0-100 per category) and the audits that did not pass, from
    one Chromium for all the paths."""
    proc = subprocess.run(
        ["node", str(SCRIPT), CHROMIUM, json.dumps(CHROMIUM_ARGS), base, *paths],
        capture_output=True,
        text=True,
        timeout=120 + 60 * len(paths),
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Lighthouse failed ({proc.returncode}): {proc.stderr[-2000:]}")
    results: list[dict[str, Any]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


def shortfalls(result: dict[str, Any]) -> list[str]:
    """Where a page's scores fall below :data:`BAR`, with the audits that failed."""
    low = [f"{k} {result['scores'][k]} < {v}" for k, v in BAR.items() if result["scores"][k] < v]
    if not low:
        return []
    failed = "; ".join(f"{a['id']} ({a['explanation'] or a['title']})" for a in result["failed"])
    return [f"{result['path']}: {', '.join(low)}; failed audits: {failed}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the server's address, e.g. http://127.0.0.1:8000")
    parser.add_argument("paths", nargs="+", help="paths to audit, e.g. / /questions")
    args = parser.parse_args()
    if what := missing():
        raise SystemExit(f"not available: {what}")
    results = audit(args.base.rstrip("/"), args.paths)
    print(f"Lighthouse {results[0]['lighthouse']}, mobile, {CHROMIUM}")
    print(f"{'page':<30} {'SEO':>4} {'a11y':>5} {'best practices':>15}")
    for r in results:
        s = r["scores"]
        print(f"{r['path']:<30} {s['seo']:>4} {s['accessibility']:>5} {s['best-practices']:>15}")
        for failed in r["failed"]:
            print(f"    {failed['id']}: {failed['explanation'] or failed['title']}")


if __name__ == "__main__":
    main()
