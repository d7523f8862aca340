"""Build the centring offset of the static encoder (``src/newstrace/models/minilm-static-256-centre.npy``).

Static vectors (a sum of token rows) share one large common direction: the mean unit
vector of news leads has norm 0.8, so any two leads are close, and the story clusterer
(its thresholds set on MiniLM) merges unrelated events. Subtracting part of that mean
before normalising (:class:`newstrace.encode.static.StaticEncoder`) spreads them as MiniLM
does. The offset is ``SHARE`` times the mean static vector of the title + lead
(:func:`newstrace.stories.lead_text`) of every report of NeuS-AllSides ``train`` (the split
the clusterer's short-text weights were fitted on; ``val`` is never read), stored as float32.

Offline ECB+ / AllSides train (4 x 307 events) B-cubed F1 of the static story leads by the
share removed (MiniLM: 0.918 / 0.902): 0 -> 0.925 / 0.813, 0.2 -> 0.917 / 0.849, 0.35 ->
0.914 / 0.866, 0.5 -> 0.906 / 0.879, 1.0 -> 0.891 / 0.883 (mean from generated-corpus leads;
benchmarks/bench_encoders.py's stories section); 0.5 keeps the worst loss smallest.

    python scripts/build_static_centre.py [--shared ../shared]     # prints the sha256 to pin

Pin the printed sha256 in ``newstrace.encode.static.CENTRE_SHA256``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "newstrace" / "models" / "minilm-static-256-centre.npy"
#: Share of the mean lead vector removed from every static vector.
SHARE = 0.5


def train_leads(shared: Path) -> list[str]:
    """Title + lead of every NeuS-AllSides ``train`` report, in file order."""
    from newstrace.model import Article
    from newstrace.stories import lead_text

    leads = []
    with (shared / "datasets" / "neus-allsides" / "train.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            for item in json.loads(line)["articles"]:
                leads.append(lead_text(Article(id="", title=item["title"], text=item["text"])))
    return leads


def centre_offset(leads: list[str]) -> np.ndarray:
    """:data:`SHARE` times the mean uncentred static vector of ``leads`` (float32)."""
    from newstrace.encode.static import StaticEncoder

    vectors = StaticEncoder(centre=False).encode(leads)
    return (SHARE * vectors.astype(np.float64).mean(axis=0)).astype(np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT / ".." / "shared", help="the ../shared folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    leads = train_leads(args.shared)
    offset = centre_offset(leads)
    buffer = io.BytesIO()
    np.save(buffer, offset, allow_pickle=False)
    args.out.write_bytes(buffer.getvalue())
    print(f"{len(leads)} leads; offset norm {float(np.linalg.norm(offset)):.4f}; wrote {args.out}")
    print(f"sha256 {hashlib.sha256(buffer.getvalue()).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
