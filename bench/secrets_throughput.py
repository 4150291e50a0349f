"""Secret-scan throughput on text-heavy input (default: /usr/share/doc and /usr/lib/python3).

Files are read into memory first, so the engine figure is the engine alone
(prefilter, regexes, checks), not disk I/O. Paths are given as they would appear
in an image (``usr/share/doc/...``), so the built-in allow rules apply as in a
real scan; only files the scanner wants (text, under the size cap, not allowed
by path) count.

With ``--trivy PATH`` both command lines also scan the same directories
(``hullguard scan dir:D --scanners secret`` and ``trivy fs --security-checks
secret D``, one process per directory, start-up and walk included; hullguard
best of N, Trivy once: it takes minutes here). MB/s there is the text bytes
under the directories (every non-binary regular file up to the size cap) over
the summed time.

    python bench/secrets_throughput.py [DIR ...] [--repeat N] [--json] [--trivy PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from hullguard.secrets import HEAD_BYTES, SecretScanner
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
    best_scan = best_pre = best_cpu = float("inf")
    findings = 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        findings = sum(len(scanner.scan_bytes(p, d)) for p, d in files)
        best_scan = min(best_scan, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
        t0 = time.perf_counter()
        for _, d in files:
            scanner._candidates(d, Scope.FILE)
        best_pre = min(best_pre, time.perf_counter() - t0)
    mb = total / 1e6
    return {
        "files": len(files),
        "megabytes": round(mb, 1),
        "seconds": round(best_scan, 2),
        "mb_per_s": round(mb / best_scan, 1),
        "cpu_mb_per_s": round(mb / best_cpu, 1),
        "prefilter_mb_per_s": round(mb / best_pre, 1),
        "findings": findings,
        "rules": len(scanner.rules),
    }


def text_bytes(dirs: list[str], cap: int) -> int:
    """Bytes of every non-binary regular file up to ``cap`` under ``dirs`` (the CLI input)."""
    total = 0
    for root in dirs:
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                full = os.path.join(dirpath, name)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                try:
                    with open(full, "rb") as fh:
                        data = fh.read(cap + 1)
                except OSError:
                    continue
                if len(data) <= cap and b"\0" not in data[:HEAD_BYTES]:
                    total += len(data)
    return total


def _cpu_wall(cmd: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: findings over threshold
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def compare_cli(dirs: list[str], trivy: str, repeat: int, cap: int) -> dict[str, float]:
    """Both tools' secret scan of ``dirs`` from the command line: MB/s wall and CPU."""
    hg = [sys.executable, "-m", "hullguard", "--quiet", "scan", "--scanners", "secret"]
    out: dict[str, float] = {}
    mb = text_bytes(dirs, cap) / 1e6
    out["cli_text_megabytes"] = round(mb, 1)
    for name in ("hullguard", "trivy"):
        wall = cpu = 0.0
        for d in dirs:
            runs = []
            for _ in range(repeat if name == "hullguard" else 1):
                with tempfile.TemporaryDirectory() as cache:
                    cmd = [*hg, "-f", "json", "-o", os.devnull, f"dir:{d}"]
                    if name == "trivy":
                        cmd = [trivy, "--cache-dir", cache, "fs", "--security-checks", "secret",
                               "--offline-scan", "--skip-db-update", "-q", "-o", os.devnull,
                               d]  # fmt: skip
                    runs.append(_cpu_wall(cmd))
            wall += min(r[0] for r in runs)
            cpu += min(r[1] for r in runs)
        out[f"{name}_cli_mb_per_s"] = round(mb / wall, 1)
        out[f"{name}_cli_cpu_mb_per_s"] = round(mb / cpu, 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", default=list(DEFAULT_DIRS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--trivy", help="a Trivy binary: compare both command lines")
    args = ap.parse_args()
    scanner = SecretScanner()
    result: dict[str, float] = measure(load(args.dirs, scanner), scanner, args.repeat)
    if args.trivy:
        result.update(compare_cli(args.dirs, args.trivy, args.repeat, scanner.max_file_bytes))
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(
            f"{result['files']} files, {result['megabytes']} MB of text: "
            f"{result['mb_per_s']} MB/s full scan (best of {args.repeat}; "
            f"{result['cpu_mb_per_s']} MB/s CPU), "
            f"{result['prefilter_mb_per_s']} MB/s keyword prefilter alone, "
            f"{result['findings']} findings, {result['rules']} rules "
            f"(load average {result['load_average_1m']})"
        )
        if args.trivy:
            print(
                f"command line, {result['cli_text_megabytes']} MB of text files: hullguard "
                f"{result['hullguard_cli_mb_per_s']} MB/s wall "
                f"({result['hullguard_cli_cpu_mb_per_s']} MB/s CPU), Trivy "
                f"{result['trivy_cli_mb_per_s']} MB/s wall "
                f"({result['trivy_cli_cpu_mb_per_s']} MB/s CPU)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
