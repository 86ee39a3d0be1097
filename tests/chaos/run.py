"""scripts/chaos: run fault scenarios at any length.

scripts/chaos                     every scenario, 30 s each
scripts/chaos churn 120           one scenario for 120 s
scripts/chaos all 60 --clients 100
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from tests.chaos.resume import resume_edges
from tests.chaos.scenarios import SCENARIOS, Outcome, run_scenario


async def main(names: list[str], seconds: float, clients: int | None) -> int:
    failed = 0
    for name in names:
        overrides = {"clients": clients} if clients else {}
        outcome: Outcome = await (
            resume_edges() if name == "resume-edges" else run_scenario(name, seconds, **overrides)
        )
        print(outcome.report(), flush=True)
        failed += not outcome.passed
    print(f"\n{len(names) - failed} of {len(names)} scenarios passed")
    return 1 if failed else 0


if __name__ == "__main__":
    choices = [*SCENARIOS, "resume-edges"]
    parser = argparse.ArgumentParser(
        prog="scripts/chaos",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", nargs="?", default="all", choices=[*choices, "all"])
    parser.add_argument(
        "seconds", nargs="?", type=float, default=30.0, help="how long each scenario runs"
    )
    parser.add_argument("--clients", type=int, help="clients per scenario")
    args = parser.parse_args()
    names = choices if args.scenario == "all" else [args.scenario]
    sys.exit(asyncio.run(main(names, args.seconds, args.clients)))
