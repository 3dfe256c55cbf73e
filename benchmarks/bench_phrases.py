"""How much of the phrasebook the offline model understands, by family (#15 item 10).

The phrasebook is `tests/unit/assistant/phrasebook.py` (the test holds the floor: ≥ 95 %); this
prints the report `make bench` shows, with every miss. Baseline: the same book against the code
before this session's grammar work (commit 5a16c18) understood 138/155 (89.0 %); after: 148/155
(95.5 %), follow-up edits 1/7. With follow-up edits of a proposal built (#15 item 5; the book
grown to 32 edit phrasings, asked after a proposal): 179/180 (99.4 %), edits 32/32. The remaining
misses are listed."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.assistant.phrasebook import by_family, understood


def main() -> None:
    outcomes = understood()
    good = sum(o.ok for o in outcomes)
    print(f"phrasebook: {good}/{len(outcomes)} understood ({100 * good / len(outcomes):.1f} %)")
    for family, (ok, total) in sorted(by_family(outcomes).items()):
        print(f"  {family:16} {ok:3}/{total:<3} {100 * ok / total:5.1f} %")
    for o in outcomes:
        if not o.ok:
            print(f"  miss [{o.family}] {o.message!r}: expected {o.expected}, got {o.got}")


if __name__ == "__main__":
    main()
