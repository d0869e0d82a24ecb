#!/usr/bin/python3
"""Plot the skip FIFO spill trade-off: on-chip depth against DRAM spill traffic and cycles.

usage: scripts/plot_spill.py SWEEP.csv [-o OUT.png] [--config CONFIG.yaml [--set K=V ...]]

Reads the CSV of `skipsim sweep --param hardware.skip_fifo.depth=... ` run with
`hardware.skip_fifo.policy` swept (block, spill) or fixed by --set. Three panels share the
x axis (on-chip depth, beats; KiB on top): cycles per policy (block's deadlocked depths
shaded up to the first depth that finishes), the DRAM bytes spilled and filled back with
the stall spilling causes, and the SRAM the skip FIFO takes. --config and --set name what
the sweep simulated (title, bytes per beat; via `skipsim run --print-config`). Uses Debian's
python3-matplotlib (run with /usr/bin/python3).
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

PROG = "plot_spill"
X = "hardware.skip_fifo.depth"
SP = "fifos.skip.spill."
COLORS = {"block": "tab:blue", "spill": "tab:orange"}
# Block draws hollow and larger, so that a point where both policies agree shows both.
STYLE = {"block": dict(marker="o", ms=9, mfc="none", mew=1.5), "spill": dict(marker="s", ms=5)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("-o", "--out", default=None, help="PNG file (default: CSV name .png)")
    ap.add_argument("--config", help="the sweep's --config (title, bytes per beat)")
    ap.add_argument("--set", action="append", default=[], help="the sweep's fixed --set")
    ap.add_argument("--skipsim", help="skipsim binary (default $SKIPSIM or build/skipsim)")
    a = ap.parse_args()
    try:
        rows = read_rows(a.csv, [X, "status", "cycles", "fifos.skip.policy",
                                 "fifos.skip.sram_bytes", SP + "spill_bytes",
                                 SP + "fill_bytes", SP + "stall_cycles"])
        info = run_info(a.config, a.set, a.skipsim) if a.config else None
        by_policy = defaultdict(list)
        for r in rows:
            pol = r.get("hardware.skip_fifo.policy") or r["fifos.skip.policy"] or "block"
            by_policy[pol].append(r)
        xs = [number(a.csv, r, X) for r in rows]

        fig, (ax1, ax2, ax3) = plt.subplots(3, 1, sharex=True, figsize=(9.5, 10))
        ax1.set_xscale("log", base=2)
        lo, hi = min(xs) / 1.3, max(xs) * 1.3
        ax1.set_xlim(lo, hi)
        for pol, rs in sorted(by_policy.items()):
            rs.sort(key=lambda r: number(a.csv, r, X))
            col = COLORS.get(pol)
            ok = [r for r in rs if r["status"] == "ok"]
            dead = [number(a.csv, r, X) for r in rs if r["status"] == "deadlock"]
            x = [number(a.csv, r, X) for r in ok]
            sty = STYLE.get(pol, dict(marker="o"))
            line, = ax1.plot(x, [number(a.csv, r, "cycles", int) for r in ok], "-", color=col,
                             label=f"policy {pol}", **sty)
            col = line.get_color()
            if dead:
                first_ok = min((d for d in x if d > max(dead)), default=hi)
                ax1.axvspan(lo, max(dead), color=col, alpha=0.15, lw=0,
                            label=f"{pol}: deadlocks (up to {max(dead):g})")
                if first_ok > max(dead) * 1.05:  # else too thin to see: the label says it
                    ax1.axvspan(max(dead), first_ok, facecolor="none", edgecolor=col, alpha=0.5,
                                hatch="//", lw=0, label=f"{pol}: boundary between sampled depths")
                ax1.plot(dead, [0] * len(dead), "x", color=col, ms=8, clip_on=False)
            if pol == "spill":
                sp = [number(a.csv, r, SP + "spill_bytes", empty=0) / 1024 for r in ok]
                fi = [number(a.csv, r, SP + "fill_bytes", empty=0) / 1024 for r in ok]
                st = [number(a.csv, r, SP + "stall_cycles", empty=0) for r in ok]
                if sp == fi:
                    # Every spilled byte comes back: one line, not two drawn on top of each other.
                    ax2.plot(x, sp, "o-", color=col, label="spilled to DRAM = filled back (KiB)")
                else:
                    ax2.plot(x, sp, "o-", color=col, label="spilled to DRAM (KiB)")
                    ax2.plot(x, fi, "D--", color="tab:green", mfc="none", ms=7,
                             label="filled back (KiB)")
                ax2b = ax2.twinx()
                ax2b.plot(x, st, "s:", color="gray", label="spill/fill stall (cycles)")
                ax2b.set_ylabel("stall cycles\n(skip input blocked + waiting for fill)", fontsize=8)
                ax2b.set_ylim(bottom=0)
                plain(ax2b.yaxis)
                h1, l1 = ax2.get_legend_handles_labels()
                h2, l2 = ax2b.get_legend_handles_labels()
                ax2.legend(h1 + h2, l1 + l2, fontsize=8, loc="lower left")
            # The SRAM follows from the configuration: known for deadlocked points too.
            sized = [r for r in rs if r["fifos.skip.sram_bytes"] != ""]
            ax3.plot([number(a.csv, r, X) for r in sized],
                     [number(a.csv, r, "fifos.skip.sram_bytes") / 1024 for r in sized], "-",
                     color=col, label=f"policy {pol}", **sty)
        ax1.set_ylim(bottom=0)
        ax1.set_ylabel("cycles")
        for axis in (ax1.xaxis, ax1.yaxis):
            plain(axis)
        ax1.set_title(title_of(info, "skip FIFO: on-chip depth vs DRAM spill traffic"),
                      fontsize=10)
        ax1.legend(fontsize=8, loc="lower right")
        kib_axis(ax1, lanes_of(rows, info))
        ax2.set_ylabel("DRAM KiB")
        ax2.set_ylim(bottom=0)
        ax3.set_ylabel("skip FIFO SRAM KiB")
        ax3.set_xlabel(X + " (on-chip beats)")
        ax3.legend(fontsize=8, loc="upper left")
        for ax in (ax1, ax2, ax3):
            ax.grid(True, which="both", alpha=0.3)
        out = a.out or a.csv.rsplit(".", 1)[0] + ".png"
        fig.tight_layout()
        fig.savefig(out, dpi=110)
    except PlotError as e:
        return fail(PROG, e)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
