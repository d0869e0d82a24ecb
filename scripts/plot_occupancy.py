#!/usr/bin/python3
"""Plot the skip FIFO occupancy over time and its histogram.

usage: scripts/plot_occupancy.py OCCUPANCY.csv [--report REPORT.json] [-o OUT.png]

OCCUPANCY.csv is written by `skipsim run --occupancy FILE` (cycle,occupancy on every
change). With --report the depth is drawn as a line. Uses Debian's python3-matplotlib.
"""
import argparse
import csv
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("--report", help="report JSON of the same run (depth, cycles)")
    ap.add_argument("-o", "--out", default=None)
    a = ap.parse_args()
    try:
        rows = list(csv.reader(open(a.csv, newline="")))[1:]
    except OSError as e:
        print(f"plot_occupancy: {a.csv}: {e.strerror}", file=sys.stderr)
        return 2
    cyc = [int(r[0]) for r in rows]
    occ = [int(r[1]) for r in rows]
    end = cyc[-1] + 1 if cyc else 1
    depth = None
    if a.report:
        rep = json.load(open(a.report))
        depth = rep["fifos"]["skip"]["depth"]
        end = max(end, rep["cycles"])
    # Cycles spent at each level, from the change points.
    weight = {}
    for i, (c, o) in enumerate(zip(cyc, occ)):
        nxt = cyc[i + 1] if i + 1 < len(cyc) else end
        weight[o] = weight.get(o, 0) + (nxt - c)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [3, 1]})
    ax1.step(cyc + [end], occ + occ[-1:], where="post", lw=0.8)
    if depth is not None:
        ax1.axhline(depth, color="r", ls="--", lw=0.8, label=f"depth {depth}")
        ax1.legend()
    ax1.set_xlabel("cycle")
    ax1.set_ylabel("occupancy (beats)")
    ax1.set_title("skip FIFO occupancy")
    levels = sorted(weight)
    ax2.barh(levels, [weight[l] for l in levels], height=max(1, (max(levels) + 1) / 100))
    ax2.set_xlabel("cycles")
    ax2.set_title("histogram")
    fig.tight_layout()
    out = a.out or a.csv.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=110)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
