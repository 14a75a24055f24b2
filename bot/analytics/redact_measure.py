"""Measures the redactor on a set of hand-written sentences (issue 25).

``python -m bot.analytics.redact_measure tests/redact_dev/zinnen.tsv --show`` lists what goes wrong
(development set, for tuning). On the evaluation set (``tests/redact_eval/zinnen.tsv``) leave out
``--show``: only the numbers, so nobody tunes on it.

A sentence with personal data counts as caught when every listed piece is gone, or when the whole
sentence was dropped. A clean sentence counts as damaged when it was changed or dropped.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Tuple


@dataclass
class Measure:
    personal: int = 0
    caught: int = 0
    clean: int = 0
    damaged: int = 0
    dropped: int = 0
    misses: List[Tuple[str, str]] = field(default_factory=list)
    damage: List[Tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.personal if self.personal else 1.0

    @property
    def damage_share(self) -> float:
        return self.damaged / self.clean if self.clean else 0.0


def read_set(path: Path) -> List[Tuple[str, List[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        sentence, _tab, pieces = line.partition("\t")
        rows.append((sentence, [p for p in pieces.split("|") if p]))
    return rows


def measure(rows, redactor: Callable[[str], Optional[str]]) -> Measure:
    m = Measure()
    for sentence, pieces in rows:
        out = redactor(sentence)
        if out is None:
            m.dropped += 1
        if pieces:
            m.personal += 1
            if out is None or not any(p.lower() in out.lower() for p in pieces):
                m.caught += 1
            else:
                m.misses.append((sentence, out))
        else:
            m.clean += 1
            if out != sentence:
                m.damaged += 1
                m.damage.append((sentence, str(out)))
    return m


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.analytics.redact_measure")
    parser.add_argument("path", type=Path)
    parser.add_argument("--show", action="store_true", help="list misses and damage (development set only)")
    args = parser.parse_args(argv)
    from bot.analytics.redact import redact_question

    m = measure(read_set(args.path), redact_question)
    print(f"zinnen met persoonsgegevens: {m.personal}, gevangen: {m.caught} (recall {m.recall:.1%})")
    print(f"schone zinnen: {m.clean}, veranderd of weggelaten: {m.damaged} ({m.damage_share:.1%})")
    print(f"weggelaten in totaal: {m.dropped}")
    if args.show:
        for sentence, out in m.misses:
            print(f"MIS   {sentence!r} -> {out!r}")
        for sentence, out in m.damage:
            print(f"SCHADE {sentence!r} -> {out!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
