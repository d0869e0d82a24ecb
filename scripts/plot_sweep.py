#!/usr/bin/python3
"""Plot a skip FIFO depth sweep: cycles and stall cycles against depth, deadlock region shaded.

usage: scripts/plot_sweep.py SWEEP.csv [-o OUT.png] [--x fifos.skip.depth-param-column]

Reads the CSV written by `skipsim sweep` (one row per point). The x axis is the parameter
column `hardware.skip_fifo.depth` unless --x names another. Rows with status `deadlock` are
drawn as a shaded band; when the CSV holds other parameters too, one line per combination.
Uses Debian's python3-matplotlib (run with /usr/bin/python3).
"""
import argparse
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

REPORT_COLS = {"status", "exit_code", "error"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("-o", "--out", default=None, help="PNG file (default: CSV name .png)")
    ap.add_argument("--x", default="hardware.skip_fifo.depth", help="parameter on the x axis")
    a = ap.parse_args()
    try:
        rows = list(csv.DictReader(open(a.csv, newline="")))
    except OSError as e:
        print(f"plot_sweep: {a.csv}: {e.strerror}", file=sys.stderr)
        return 2
    if not rows:
        print(f"plot_sweep: {a.csv}: no rows", file=sys.stderr)
        return 2
    if a.x not in rows[0]:
        print(f"plot_sweep: {a.csv}: no column '{a.x}'", file=sys.stderr)
        return 2
    header = list(rows[0].keys())
    params = header[: header.index("status")]
    others = [p for p in params if p != a.x]
    groups = defaultdict(list)
    for r in rows:
        groups[tuple(r[p] for p in others)].append(r)

    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(9, 7))
    for key, rs in sorted(groups.items()):
        rs.sort(key=lambda r: float(r[a.x]))
        label = ", ".join(f"{p}={v}" for p, v in zip(others, key)) or None
        ok = [r for r in rs if r["status"] == "ok"]
        dead = [float(r[a.x]) for r in rs if r["status"] == "deadlock"]
        x = [float(r[a.x]) for r in ok]
        line, = ax1.plot(x, [int(r["cycles"]) for r in ok], "o-", label=label)
        ax2.plot(x, [int(r["fifos.skip.push_blocked_cycles"]) for r in ok], "o-",
                 color=line.get_color(), label=label)
        if dead:
            for ax in (ax1, ax2):
                ax.axvspan(min(dead), max(dead), color=line.get_color(), alpha=0.15,
                           label="deadlock" if ax is ax1 else None)
    ax1.set_ylabel("cycles")
    ax1.set_title(f"skip FIFO sweep: {a.csv}")
    ax2.set_ylabel("fork blocked on skip (cycles)")
    ax2.set_xlabel(a.x + " (beats)")
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
        ax.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=8)
    out = a.out or a.csv.rsplit(".", 1)[0] + ".png"
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
