#!/usr/bin/python3
"""Plot the skip FIFO a network needs, block by block, for one or more runs.

usage: scripts/plot_network.py REPORT.json [REPORT.json ...] [-o OUT.png] [--log]

Each REPORT.json is written by `skipsim network ... --report FILE` (e.g. the same model at
224x224 and 448x448). One line per report: the SRAM bytes of each block's skip FIFO at its
peak occupancy (fifos.skip.max_occupancy_bytes), in KiB, along the network; with
--find-depth reports, the full-speed depth's bytes are drawn dashed. The legend gives each
run's total (each block its own FIFO) and its largest block (one FIFO shared by all).
Uses Debian's python3-matplotlib.
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_common import PlotError, fail  # noqa: E402

PROG = "plot_network"


def load(path):
    try:
        with open(path) as f:
            rep = json.load(f)
    except OSError as e:
        raise PlotError(f"{path}: cannot read ({e.strerror})")
    except json.JSONDecodeError as e:
        raise PlotError(f"{path}: line {e.lineno}: not JSON ({e.msg})")
    if not isinstance(rep, dict) or "blocks" not in rep or "model" not in rep:
        raise PlotError(f"{path}: expected a report of `skipsim network` (keys model, blocks)")
    return rep


def series(rep, path):
    names, occ, full = [], [], []
    for b in rep["blocks"]:
        if not b.get("simulated"):
            continue
        try:
            names.append(b["name"])
            occ.append(b["fifos"]["skip"]["max_occupancy_bytes"] / 1024)
        except (KeyError, TypeError):
            raise PlotError(f"{path}: block {b.get('name', '?')}: no fifos.skip.max_occupancy_bytes "
                            "(did the block fail?)")
        full.append(b["min_full_speed_depth_bytes"] / 1024
                    if "min_full_speed_depth_bytes" in b else None)
    if not names:
        raise PlotError(f"{path}: no simulated block")
    return names, occ, full


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("reports", nargs="+")
    ap.add_argument("-o", "--out", default="out/network_skip_fifo.png")
    ap.add_argument("--log", action="store_true", help="logarithmic KiB axis")
    a = ap.parse_args(argv)
    try:
        fig, ax = plt.subplots(figsize=(max(8, 0.5 * 20), 5))
        order = None
        for path in a.reports:
            rep = load(path)
            names, occ, full = series(rep, path)
            if order is None:
                order = names
            elif names != order:
                raise PlotError(f"{path}: its blocks differ from {a.reports[0]}'s (same model "
                                "and --blocks expected)")
            h, w = rep["input"][0], rep["input"][1]
            label = (f"{rep['model']} {h}x{w}: {sum(occ) / 1024:.2f} MiB summed, "
                     f"{max(occ):.1f} KiB largest")
            line, = ax.plot(range(len(names)), occ, marker="o", label=label)
            if any(v is not None for v in full):
                ax.plot([i for i, v in enumerate(full) if v is not None],
                        [v for v in full if v is not None], linestyle="--",
                        color=line.get_color(), label=f"{h}x{w}: min full-speed depth")
        ax.set_xticks(range(len(order)))
        ax.set_xticklabels(order, rotation=60, ha="right", fontsize=8)
        ax.set_ylabel("skip FIFO at peak occupancy (KiB of SRAM)")
        ax.set_xlabel("block")
        if a.log:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.set_title("Skip FIFO per residual block (each block its own FIFO)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        fig.savefig(a.out, dpi=110)
        print(a.out)
    except PlotError as e:
        return fail(PROG, e)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
