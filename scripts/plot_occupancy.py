#!/usr/bin/python3
"""Plot the skip FIFO occupancy over time and its histogram, the peak marked.

usage: scripts/plot_occupancy.py OCCUPANCY.csv [--report REPORT.json] [-o OUT.png]

OCCUPANCY.csv is written by `skipsim run --occupancy FILE` (cycle,occupancy on every
change). With --report (the same run's) the title names the block and its shape, a right
axis gives KiB, and the depth is drawn when it is near the curve (else stated in the legend,
so that a deep FIFO does not squash the curve). Uses Debian's python3-matplotlib.
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_common import PlotError, fail, kib_axis, number, read_rows  # noqa: E402

PROG = "plot_occupancy"


def load_report(path):
    try:
        with open(path) as f:
            rep = json.load(f)
        return rep, rep["fifos"]["skip"], rep["workload"]
    except OSError as e:
        raise PlotError(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise PlotError(f"{path}: not JSON ({e.msg} at line {e.lineno})")
    except (KeyError, TypeError):
        raise PlotError(f"{path}: expected a skipsim run report (keys fifos.skip, workload)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("--report", help="report JSON of the same run (depth, cycles, shape)")
    ap.add_argument("-o", "--out", default=None)
    a = ap.parse_args()
    try:
        rows = read_rows(a.csv, ["cycle", "occupancy"])
        cyc = [number(a.csv, r, "cycle", int) for r in rows]
        occ = [number(a.csv, r, "occupancy", int) for r in rows]
        if any(b < c for c, b in zip(cyc, cyc[1:])):
            raise PlotError(f"{a.csv}: column 'cycle' goes backwards (expected the order "
                            f"skipsim writes)")
        end = cyc[-1] + 1
        rep = skip = wl = None
        if a.report:
            rep, skip, wl = load_report(a.report)
            end = max(end, int(rep.get("cycles", 0)))
    except PlotError as e:
        return fail(PROG, e)

    # Cycles spent at each level, from the change points.
    weight = {}
    for i, (c, o) in enumerate(zip(cyc, occ)):
        nxt = cyc[i + 1] if i + 1 < len(cyc) else end
        weight[o] = weight.get(o, 0) + (nxt - c)
    peak = max(occ)
    at = cyc[occ.index(peak)]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True,
                                   gridspec_kw={"width_ratios": [3, 1]})
    ax1.step(cyc + [end], occ + occ[-1:], where="post", lw=0.8, label="occupancy")
    bpb = int(skip.get("bytes_per_beat", 0)) if skip else 0
    kib = f" ({peak * bpb / 1024:.1f} KiB)" if bpb else ""
    ax1.plot([at], [peak], "o", color="tab:red", mfc="none", ms=9, mew=1.5,
             label=f"peak {peak:,} beats{kib} at cycle {at:,}")
    ax1.annotate(f"peak {peak:,}", (at, peak), xytext=(8, 2), textcoords="offset points",
                 fontsize=9, color="tab:red")
    top = max(peak, 1) * 1.15
    if skip:
        depth = int(skip["depth"])
        if depth <= top * 1.3:
            ax1.axhline(depth, color="k", ls="--", lw=0.8, label=f"depth {depth:,}")
            top = max(top, depth * 1.08)
        else:
            ax1.plot([], [], " ", label=f"depth {depth:,} (above the plot)")
    ax1.set_ylim(0, top)
    ax1.set_xlim(0, end)
    ax1.set_xlabel("cycle")
    ax1.set_ylabel("occupancy (beats)")
    ax1.legend(fontsize=8, loc="lower center")
    ax1.grid(True, alpha=0.3)
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}")
    ax1.xaxis.set_major_formatter(fmt)
    what = "skip FIFO occupancy"
    if wl:
        i, o = wl["input"], wl["output"]
        what += (f": {wl['block']} block {i['h']}x{i['w']}x{i['c']} -> {o['h']}x{o['w']}x{o['c']}"
                 f", {rep.get('cycles', end):,} cycles")
    ax1.set_title(what, fontsize=10)
    levels = sorted(weight)
    ax2.barh(levels, [weight[v] for v in levels], height=max(1, (peak + 1) / 100))
    ax2.set_xlabel("cycles at that occupancy")
    ax2.set_title("histogram", fontsize=10)
    ax2.xaxis.set_major_formatter(fmt)
    ax2.tick_params(axis="x", labelrotation=30)
    ax2.grid(True, alpha=0.3)
    if bpb:
        kib_axis(ax2, bpb, which="y")
    fig.tight_layout()
    out = a.out or a.csv.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=110)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
