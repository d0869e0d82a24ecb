#!/usr/bin/python3
"""Plot a skip FIFO depth sweep: cycles and stall cycles against depth, deadlock region shaded.

usage: scripts/plot_sweep.py SWEEP.csv [-o OUT.png] [--config CONFIG.yaml [--set K=V ...]]
                             [--x COLUMN]

Reads the CSV written by `skipsim sweep` (one row per point). The x axis is the parameter
column `hardware.skip_fifo.depth` unless --x names another; a top axis gives the depth in
KiB of skip data. Deadlocked depths are shaded up to the first depth that finishes; the
smallest deadlock-free and the smallest full-speed depth (cycles within --tolerance of the
fastest point) are marked. --config and --set name what the sweep simulated (its title and
bytes per beat; they run `skipsim run --print-config`, found as --skipsim, $SKIPSIM or
build/skipsim). With several other parameters, one line per combination.
Uses Debian's python3-matplotlib (run with /usr/bin/python3).
"""
import argparse
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_common import (PlotError, fail, kib_axis, lanes_of, number, plain,  # noqa: E402
                         read_rows, run_info, title_of)

PROG = "plot_sweep"


def boundaries(path, rs, x, tol):
    """(deadlocked xs, finishing points [(x, cycles)], deadlock-free x, full-speed x)."""
    dead = [number(path, r, x) for r in rs if r["status"] == "deadlock"]
    ok = [(number(path, r, x), number(path, r, "cycles", int)) for r in rs if r["status"] == "ok"]
    free = min((d for d, _ in ok if all(d > e for e in dead)), default=None)
    fast = None
    if ok:
        best = min(c for _, c in ok)
        fast = min(d for d, c in ok if c <= best * (1 + tol) and (free is None or d >= free))
    return dead, ok, free, fast


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("-o", "--out", default=None, help="PNG file (default: CSV name .png)")
    ap.add_argument("--x", default="hardware.skip_fifo.depth", help="parameter on the x axis")
    ap.add_argument("--config", help="the sweep's --config (title, bytes per beat)")
    ap.add_argument("--set", action="append", default=[], help="the sweep's fixed --set")
    ap.add_argument("--skipsim", help="skipsim binary (default $SKIPSIM or build/skipsim)")
    ap.add_argument("--tolerance", type=float, default=0.001,
                    help="full speed: cycles within this fraction of the fastest point")
    a = ap.parse_args()
    try:
        rows = read_rows(a.csv, [a.x, "status", "cycles", "fifos.skip.push_blocked_cycles"])
        info = run_info(a.config, a.set, a.skipsim) if a.config else None
        header = [k for k in rows[0] if k != "_line"]
        others = [p for p in header[: header.index("status")] if p != a.x]
        groups = defaultdict(list)
        for r in rows:
            groups[tuple(r[p] for p in others)].append(r)
        xs = [number(a.csv, r, a.x) for r in rows]
        is_depth = a.x.endswith("skip_fifo.depth")

        fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(9.5, 7.5))
        ax1.set_xscale("log", base=2)
        lo, hi = min(xs) / 1.3, max(xs) * 1.3
        ax1.set_xlim(lo, hi)
        single = len(groups) == 1
        for key, rs in sorted(groups.items()):
            rs.sort(key=lambda r: number(a.csv, r, a.x))
            label = ", ".join(f"{p}={v}" for p, v in zip(others, key)) or "cycles"
            dead, ok, free, fast = boundaries(a.csv, rs, a.x, a.tolerance)
            ok_rows = [r for r in rs if r["status"] == "ok"]
            line, = ax1.plot([d for d, _ in ok], [c for _, c in ok], "o-", label=label)
            col = line.get_color()
            ax2.plot([d for d, _ in ok],
                     [number(a.csv, r, "fifos.skip.push_blocked_cycles", int) for r in ok_rows],
                     "o-", color=col)
            if dead:
                # Solid up to the deepest deadlocked point, hatched up to the first one that
                # finishes: the boundary lies somewhere in between.
                last = max(dead)
                end = free if free is not None else hi
                for ax in (ax1, ax2):
                    ax.axvspan(lo, last, color="tab:red" if single else col, alpha=0.15, lw=0,
                               label=("deadlock" if single else f"{label}: deadlock")
                               if ax is ax1 else None)
                    if end > last:
                        ax.axvspan(last, end, facecolor="none", edgecolor="tab:red", alpha=0.4,
                                   hatch="//", lw=0, label=("boundary between sampled depths"
                                                            if ax is ax1 and single else None))
                ax1.plot(dead, [0] * len(dead), "x", color="tab:red", ms=8, clip_on=False,
                         label="deadlocked point" if single else None)
            marks = []
            if free is not None and dead:
                marks.append((free, "first sampled depth that finishes:", "--"))
            if fast is not None:
                marks.append((fast, "first sampled depth at full speed:", ":"))
            for d, what, ls in marks:
                for ax in (ax1, ax2):
                    ax.axvline(d, color=col if not single else "k", ls=ls, lw=1.2)
                cyc = dict(ok)[d]
                right = d * 3 > hi  # text on the side with room
                ax1.annotate(f"{what} {d:,g}\n{cyc:,} cycles", (d, cyc),
                             xytext=(-8 if right else 8, 14), textcoords="offset points",
                             ha="right" if right else "left", fontsize=8,
                             bbox=dict(boxstyle="round", fc="white", ec="none", alpha=0.8),
                             arrowprops=dict(arrowstyle="-", lw=0.5))
        top = max((number(a.csv, r, "cycles", int) for r in rows if r["status"] == "ok"),
                  default=1)
        ax1.set_ylim(0, top * 1.25)
        ax1.set_ylabel("cycles")
        for axis in (ax1.xaxis, ax1.yaxis, ax2.yaxis):
            plain(axis)
        what = "skip FIFO depth sweep" if is_depth else f"sweep over {a.x}"
        ax1.set_title(title_of(info, what), fontsize=10)
        if is_depth:
            kib_axis(ax1, lanes_of(rows, info))
        ax2.set_ylabel("fork blocked on skip (cycles)")
        ax2.set_ylim(bottom=0)
        ax2.set_xlabel(a.x + (" (beats)" if is_depth else ""))
        for ax in (ax1, ax2):
            ax.grid(True, which="both", alpha=0.3)
        ax1.legend(fontsize=8, loc="lower right")
        out = a.out or a.csv.rsplit(".", 1)[0] + ".png"
        fig.tight_layout()
        fig.savefig(out, dpi=110)
    except PlotError as e:
        return fail(PROG, e)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
