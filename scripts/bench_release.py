#!/usr/bin/env python3
"""What a user installs, measured: size of the static binary and of the Debian package, and the
cold start of the static binary against the toolchain-linked release build (spawn `serve --port 0`
on an empty data directory until the launch URL answers; median and worst of N). Not part of the
tests; BENCHMARKS.md keeps the numbers.

  .venv/bin/python scripts/bench_release.py [--static dist/loonjournaal] [--dynamic .build/release/loonjournaal] [--repeats 9]
"""
import argparse
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_pages import cold_start  # noqa: E402  (the same yardstick as scripts/bench)


def size(path):
    return f"{path.stat().st_size / 1024 / 1024:.1f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--static", default="dist/loonjournaal")
    parser.add_argument("--dynamic", default=".build/release/loonjournaal")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    static, dynamic = pathlib.Path(args.static), pathlib.Path(args.dynamic)
    debs = sorted(static.parent.glob("loonjournaal_*.deb"))
    rows = [("static binary (stripped)", size(static))]
    if debs:
        rows.append((f"Debian package {debs[-1].name}", size(debs[-1])))
    if dynamic.exists():
        stripped = pathlib.Path(tempfile.mkdtemp()) / "loonjournaal"
        shutil.copy(dynamic, stripped)
        subprocess.run(["strip", str(stripped)], check=True)
        rows.append(("toolchain-linked release binary, stripped (+ Swift runtime libraries)", size(stripped)))
    for label, binary in (("static", static), ("toolchain-linked", dynamic)):
        if not binary.exists():
            continue
        with tempfile.TemporaryDirectory() as work:
            work = pathlib.Path(work)
            times = cold_start(str(binary.resolve()), work / "data", work, repeats=args.repeats)
        rows.append((f"cold start {label}: median / worst of {args.repeats}", f"{statistics.median(times):.3f} / {max(times):.3f} s"))
    width = max(len(r[0]) for r in rows)
    print()
    for name, value in rows:
        print(f"  {name:{width}s}  {value}")


main()
