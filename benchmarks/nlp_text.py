"""Speed of the text stages that run on every call: personal-data masking, flags, places.

    .venv/bin/python benchmarks/nlp_text.py [--repeats 200]

Prints one JSON object: median and p95 in ms per stage, on a 1,000-character transcript
(about three minutes of a call) and, for masking, on 20,000 characters (the longest content).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALL = (
    "市民来电反映：我住在华龙区中原路街道中原社区3号楼，中原路与胜利路交叉口向南200米的工地"
    "每晚十一点以后还在施工，噪音扰民，物业也不管，打了好几次电话都没人处理！联系人李秀英，"
    "电话13812345678，座机0393-5012345，身份证110105194912310025。"
)


def timed(work, repeats: int) -> dict:
    work()  # warm-up
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    runs.sort()
    return {
        "median_ms": round(statistics.median(runs) * 1000, 3),
        "p95_ms": round(runs[math.ceil(0.95 * len(runs)) - 1] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    from nlp.flags import flags
    from nlp.pii import mask
    from nlp.place import Gazetteer, PlaceFinder

    transcript = (CALL * 20)[:1000]
    content = (CALL * 200)[:20000]
    areas = json.loads((ROOT / "hotline/demo/data/areas.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    finder = PlaceFinder(Gazetteer.from_records(areas, []), "410900")
    build = time.perf_counter() - started
    print(
        json.dumps(
            {
                "benchmark": "nlp_text",
                "transcript_chars": len(transcript),
                "mask_transcript": timed(lambda: mask(transcript), args.repeats),
                "mask_20000_chars": timed(lambda: mask(content), args.repeats // 4),
                "flags_transcript": timed(lambda: flags(transcript), args.repeats),
                "place_transcript": timed(lambda: finder.find(transcript), args.repeats),
                "place_finder_build_s": round(build, 3),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
