"""Secret-scan throughput on text-heavy input (default: /usr/share/doc and /usr/lib/python3).

Files are read into memory first, so the figure is the engine alone (prefilter,
regexes, checks), not disk I/O. Paths are given as they would appear in an image
(``usr/share/doc/...``), so the built-in allow rules apply as in a real scan; only
files the scanner wants (text, under the size cap, not allowed by path) count.

    python bench/secrets_throughput.py [DIR ...] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from hullguard.secrets import HEAD_BYTES, SecretScanner
from hullguard.secrets.anchors import LOWER
from hullguard.secrets.interface import Scope

DEFAULT_DIRS = ("/usr/share/doc", "/usr/lib/python3")


def load(dirs: list[str], scanner: SecretScanner) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for root in dirs:
        for dirpath, _dirs, names in os.walk(root):
            for name in sorted(names):
                full = os.path.join(dirpath, name)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                try:
                    with open(full, "rb") as fh:
                        data = fh.read(scanner.max_file_bytes + 1)
                except OSError:
                    continue
                path = full.lstrip("/")
                if scanner.wants(path, len(data), data[:HEAD_BYTES]):
                    files.append((path, data))
    return files


def measure(
    files: list[tuple[str, bytes]], scanner: SecretScanner, repeat: int
) -> dict[str, float]:
    total = sum(len(d) for _, d in files)
    best_scan = best_pre = float("inf")
    findings = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        findings = sum(len(scanner.scan_bytes(p, d)) for p, d in files)
        best_scan = min(best_scan, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _, d in files:
            scanner._candidates(d.translate(LOWER), Scope.FILE)
        best_pre = min(best_pre, time.perf_counter() - t0)
    mb = total / 1e6
    return {
        "files": len(files),
        "megabytes": round(mb, 1),
        "seconds": round(best_scan, 2),
        "mb_per_s": round(mb / best_scan, 1),
        "prefilter_mb_per_s": round(mb / best_pre, 1),
        "findings": findings,
        "rules": len(scanner.rules),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", default=list(DEFAULT_DIRS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    scanner = SecretScanner()
    result = measure(load(args.dirs, scanner), scanner, args.repeat)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(
            f"{result['files']} files, {result['megabytes']} MB of text: "
            f"{result['mb_per_s']} MB/s full scan (best of {args.repeat}), "
            f"{result['prefilter_mb_per_s']} MB/s keyword prefilter alone (lowercasing included), "
            f"{result['findings']} findings, {result['rules']} rules "
            f"(load average {result['load_average_1m']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
