"""Prints where the time of a `make test` went (issue 21) and keeps it in results/timings.json.

Reads the timestamps the Makefile wrote (results/.started, results/.installed), the steps that
scripts/train.sh timed (results/timings.txt.train), and the training record kept beside the model
(how long the last real training took, also when this run found the model up to date).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ops.training import training_record_path  # noqa: E402

RESULTS = ROOT / "results"


def _stamp(name: str) -> int | None:
    try:
        return int((RESULTS / name).read_text().strip())
    except (OSError, ValueError):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pytest", type=int, required=True)
    parser.add_argument("--stories", type=int, required=True)
    parser.add_argument("--model", type=Path, required=True)
    args = parser.parse_args()

    steps: dict = {}
    started, installed = _stamp(".started"), _stamp(".installed")
    if started and installed:
        steps["installeren"] = installed - started
    for line in (RESULTS / "timings.txt.train").read_text().splitlines() if (RESULTS / "timings.txt.train").exists() else []:
        name, seconds = line.split()
        steps[name] = int(seconds)
    steps["pytest"] = args.pytest
    steps["verhaaltests"] = args.stories
    record_path = training_record_path(args.model)
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    total = int(time.time()) - started if started else sum(steps.values())

    print("Tijden van deze run (s): " + ", ".join(f"{k} {v}" for k, v in steps.items()) + f"; totaal {total}")
    if record:
        fresh = steps.get("trainen", 0) >= 0.8 * record.get("seconds", 0) > 0
        print(f"Training van dit model: {record['seconds']:.0f} s op {record.get('cpus')} kernen"
              + ("" if fresh else " (eerder getraind; deze run vond het model actueel)"))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "timings.json").write_text(json.dumps(
        {"steps": steps, "total": total, "model": args.model.name, "training": record}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
