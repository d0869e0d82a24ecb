#!/usr/bin/python3
"""Plot the skip FIFO spill trade-off: on-chip depth against DRAM spill traffic and cycles.

usage: scripts/plot_spill.py SWEEP.csv [-o OUT.png]

Reads the CSV of `skipsim sweep --param hardware.skip_fifo.depth=... ` run with
`hardware.skip_fifo.policy` swept (block, spill) or fixed by --set. Three panels share the
x axis (on-chip depth, beats): cycles per policy (deadlocked block points shaded), DRAM
bytes spilled plus filled back, and the SRAM bytes the skip FIFO takes. Uses Debian's
python3-matplotlib (run with /usr/bin/python3).
"""
import argparse
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

X = "hardware.skip_fifo.depth"


def num(v: str) -> float:
    return float(v) if v not in ("", None) else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("-o", "--out", default=None, help="PNG file (default: CSV name .png)")
    a = ap.parse_args()
    try:
        rows = list(csv.DictReader(open(a.csv, newline="")))
    except OSError as e:
        print(f"plot_spill: {a.csv}: {e.strerror}", file=sys.stderr)
        return 2
    if not rows or X not in rows[0] or "fifos.skip.policy" not in rows[0]:
        print(f"plot_spill: {a.csv}: expected a sweep over {X} with the spill columns",
              file=sys.stderr)
        return 2
    by_policy = defaultdict(list)
    for r in rows:
        pol = r.get("hardware.skip_fifo.policy") or r["fifos.skip.policy"] or "block"
        by_policy[pol].append(r)

    fig, (ax1, ax2, ax3) = plt.subplots(3, 1, sharex=True, figsize=(9, 9))
    for pol, rs in sorted(by_policy.items()):
        rs.sort(key=lambda r: float(r[X]))
        ok = [r for r in rs if r["status"] == "ok"]
        dead = [float(r[X]) for r in rs if r["status"] == "deadlock"]
        x = [float(r[X]) for r in ok]
        line, = ax1.plot(x, [int(r["cycles"]) for r in ok], "o-", label=f"policy {pol}")
        if dead:
            ax1.axvspan(min(dead), max(dead), color=line.get_color(), alpha=0.15,
                        label=f"{pol}: deadlock")
        if pol == "spill":
            ax2.plot(x, [num(r["fifos.skip.spill.spill_bytes"]) / 1024 for r in ok], "o-",
                     color=line.get_color(), label="spilled (written)")
            ax2.plot(x, [num(r["fifos.skip.spill.fill_bytes"]) / 1024 for r in ok], "x--",
                     color=line.get_color(), label="filled (read back)")
            ax2b = ax2.twinx()
            ax2b.plot(x, [num(r["fifos.skip.spill.stall_cycles"]) for r in ok], "s:",
                      color="gray", label="spill/fill stall")
            ax2b.set_ylabel("stall cycles (skip input blocked + waiting for fill)", fontsize=8)
            ax2b.legend(fontsize=8, loc="lower left")
        ax3.plot(x, [num(r["fifos.skip.sram_bytes"]) / 1024 for r in ok], "o-",
                 color=line.get_color(), label=f"policy {pol}")
    ax1.set_ylabel("cycles")
    ax1.set_title(f"skip FIFO: on-chip depth vs DRAM spill traffic ({a.csv})")
    ax2.set_ylabel("DRAM KiB")
    ax3.set_ylabel("skip FIFO SRAM KiB")
    ax3.set_xlabel(X + " (on-chip beats)")
    for ax in (ax1, ax2, ax3):
        ax.set_xscale("log", base=2)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    out = a.out or a.csv.rsplit(".", 1)[0] + ".png"
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
