#!/usr/bin/python3
"""Roofline of the layer-by-layer NPU: one point per op of `skipsim npu`, against the peak,
DRAM and SRAM roofs; optionally the streaming residual block(s) on the same picture.

usage: scripts/plot_roofline.py NPU_REPORT.json [NPU_REPORT2.json ...]
                                [--streaming RUN_OR_NETWORK_REPORT.json] -o OUT.png [--title T]

Log-log axes: x = arithmetic intensity (ops per byte), y = attained ops per cycle. The roofs
come from the first report's "hardware": peak_ops_per_cycle (flat), dram_bytes_per_cycle and
sram_bytes_per_cycle (slopes); a dashed line at hardware.lanes ops/cycle is the vector unit's
peak, which bounds adds and pools (they do not run on the MAC array). Each op is a filled marker at its DRAM intensity and a hollow
one at its SRAM intensity (the hierarchical roofline), joined by a thin line, coloured by op
type. Ops without DRAM traffic (null arithmetic_intensity) sit in the shaded band at the right
edge. Several reports get one marker shape each, named by what differs between them (e.g.
fuse_add). --streaming adds a star per fused streaming block: a `skipsim run` report (ops =
2 x the conv engines' useful MACs + one per output element of the add, DRAM bytes read +
written) or a `skipsim network` report (one star per simulated block).
Uses Debian's python3-matplotlib (run with /usr/bin/python3).
"""
import argparse
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_common import PlotError, fail  # noqa: E402
from npu_common import input_of, load_npu, streaming_points  # noqa: E402

PROG = "plot_roofline"
TYPE_COLOURS = {"conv": "tab:blue", "add": "tab:red", "pool": "tab:green", "fc": "tab:purple"}
SHAPES = ["o", "s", "^", "D", "v", "P"]
STAR = "#e6a100"


def labels_of(reps: list, paths: list) -> list:
    """A short name per report: the npu settings, model or input that differ, else the file."""
    if len(reps) == 1:
        return [f"{reps[0]['model']} {input_of(reps[0])}"]
    names = [[] for _ in reps]
    for key in ("model",):
        if len({r[key] for r in reps}) > 1:
            for n, r in zip(names, reps):
                n.append(r[key])
    if len({input_of(r) for r in reps}) > 1:
        for n, r in zip(names, reps):
            n.append(input_of(r))
    for key in sorted({k for r in reps for k in r.get("npu", {})}):
        vals = [r.get("npu", {}).get(key) for r in reps]
        if len({str(v) for v in vals}) > 1:
            for n, v in zip(names, vals):
                v = f"{v // 1024} KiB" if key.endswith("_bytes") and isinstance(v, int) else v
                n.append(f"{key}={str(v).lower() if isinstance(v, bool) else v}")
    return [", ".join(n) or os.path.basename(p) for n, p in zip(names, paths)]


def notable(ops: list) -> list:
    """Ops worth a name on the picture: the largest conv, the slowest add, the slowest op."""
    picks = []
    convs = [o for o in ops if o["type"] == "conv"]
    adds = [o for o in ops if o["type"] == "add"]
    if convs:
        picks.append((max(convs, key=lambda o: o["ops"]), "largest conv"))
    if adds:
        picks.append((max(adds, key=lambda o: o["cycles"]), "slowest add"))
    if ops:
        picks.append((min(ops, key=lambda o: o["attained_ops_per_cycle"]), "lowest ops/cycle"))
    seen, out = set(), []
    for o, why in picks:
        if o["name"] not in seen:
            seen.add(o["name"])
            out.append((o, why))
    return out


def draw_roofs(ax, hw, xlo, xhi, tag=""):
    peak, dbw, sbw = (hw["peak_ops_per_cycle"], hw["dram_bytes_per_cycle"],
                      hw["sram_bytes_per_cycle"])
    xs = [xlo * (xhi / xlo) ** (i / 200) for i in range(201)]
    ax.plot(xs, [min(peak, x * dbw) for x in xs], color="k", lw=1.8,
            label=f"{tag}DRAM roof: {dbw:g} B/cycle, peak {peak:,.0f} ops/cycle")
    ax.plot(xs, [min(peak, x * sbw) for x in xs], color="0.45", lw=1.4, ls="--",
            label=f"{tag}SRAM roof: {sbw:g} B/cycle")
    for bw, what in ((dbw, "DRAM"), (sbw, "SRAM")):
        ridge = peak / bw
        if xlo < ridge < xhi:
            ax.annotate(f"{what} ridge\n{ridge:.3g} ops/B", (ridge, peak), xytext=(0, 8),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7,
                        color="0.3")


def declutter(fig, annots):
    """Move annotation labels down (then up) until no two boxes overlap."""
    fig.canvas.draw()
    placed = []
    for an in annots:
        x0, y0 = an.xyann
        for step in [0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5]:
            an.xyann = (x0, y0 + 13 * step)
            bb = an.get_window_extent().expanded(1.02, 1.15)
            if not any(bb.overlaps(p) for p in placed):
                break
        placed.append(an.get_window_extent())


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description=" ".join(__doc__.split("\n")[:3]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[5:]))
    ap.add_argument("reports", nargs="+", metavar="NPU_REPORT.json",
                    help="reports of `skipsim npu --report`")
    ap.add_argument("--streaming", action="append", default=[], metavar="REPORT.json",
                    help="a `skipsim run` or `skipsim network` report (repeatable)")
    ap.add_argument("-o", "--out", required=True, help="PNG file to write")
    ap.add_argument("--title", help="title (default: what was simulated)")
    a = ap.parse_args(argv)
    try:
        reps = [load_npu(p) for p in a.reports]
        stream = [(p, streaming_points(p)) for p in a.streaming]
        names = labels_of(reps, a.reports)
        hws = []
        for r in reps:
            hw = {k: r["hardware"][k] for k in
                  ("peak_ops_per_cycle", "dram_bytes_per_cycle", "sram_bytes_per_cycle")}
            if hw not in hws:
                hws.append(hw)

        # x range: every finite intensity (DRAM and SRAM), then a band for "no DRAM traffic".
        finite = [v for r in reps for o in r["ops"]
                  for v in (o["arithmetic_intensity"], o["sram_intensity"]) if v]
        finite += [p["ops"] / p["dram_bytes"] for _, ps in stream for p in ps if p["dram_bytes"]]
        finite += [h["peak_ops_per_cycle"] / h["dram_bytes_per_cycle"] for h in hws]
        xlo = 10 ** math.floor(math.log10(min(finite) / 1.5))
        xmax = max(finite) * 2
        x_inf = xmax * 3
        xhi = x_inf * 2.2
        ys = [o["attained_ops_per_cycle"] for r in reps for o in r["ops"]
              if o["attained_ops_per_cycle"] > 0]
        ys += [p["ops"] / p["cycles"] for _, ps in stream for p in ps if p["cycles"]]
        ys += [h["peak_ops_per_cycle"] for h in hws]
        # Adds and pools run on the vector unit, one op per lane per cycle, not on the array.
        lanes = sorted({r["hardware"]["lanes"] for r in reps
                        if isinstance(r["hardware"].get("lanes"), int)
                        and not isinstance(r["hardware"]["lanes"], bool)
                        and r["hardware"]["lanes"] > 0})
        ys += lanes
        ylo = 10 ** math.floor(math.log10(min(ys) / 1.5))
        yhi = max(ys) * 3

        fig, ax = plt.subplots(figsize=(10, 7))
        ax.set_xscale("log")
        ax.set_yscale("log")
        for i, hw in enumerate(hws):
            draw_roofs(ax, hw, xlo, xmax, f"[{i + 1}] " if len(hws) > 1 else "")
        for ln in lanes:
            ax.axhline(ln, color="tab:red", lw=1.1, ls=(0, (5, 3)), alpha=0.7, zorder=1,
                       label=f"vector unit: {ln} adds/cycle (one per lane)")
        ax.axvspan(x_inf / 1.6, xhi, color="0.9", zorder=0)
        ax.text(x_inf, yhi / 1.15, "no DRAM\ntraffic", ha="center", va="top", fontsize=8,
                color="0.35")

        any_null = False
        named = {}  # op name -> (x, y) already annotated
        annots = []
        for k, (r, name) in enumerate(zip(reps, names)):
            shape = SHAPES[k % len(SHAPES)]
            for o in r["ops"]:
                y = o["attained_ops_per_cycle"]
                if y <= 0:
                    continue
                col = TYPE_COLOURS.get(o["type"], "0.5")
                xd = o["arithmetic_intensity"]
                if xd is None:
                    any_null = True
                    xd = x_inf
                xs = o["sram_intensity"]
                if xs:
                    ax.plot([xd, xs], [y, y], color=col, lw=0.5, alpha=0.35, zorder=2)
                    ax.plot(xs, y, shape, mfc="none", mec=col, ms=6, mew=1.0, zorder=3)
                ax.plot(xd, y, shape, color=col, ms=6, mec="k" if k else col, mew=0.4,
                        zorder=4)
            for j, (o, why) in enumerate(notable(r["ops"])):
                y = o["attained_ops_per_cycle"]
                x = o["arithmetic_intensity"] or x_inf
                prev = named.get(o["name"])
                if prev and abs(math.log(prev[0] / x)) < 0.05 and abs(math.log(prev[1] / y)) < 0.05:
                    continue  # the same point, already named
                named[o["name"]] = (x, y)
                tag = f" [{chr(65 + k)}]" if len(reps) > 1 else ""
                left = x > xlo * (xhi / xlo) ** 0.6
                annots.append(ax.annotate(f"{o['name']} ({why}){tag}", (x, y),
                            xytext=(-12 if left else 12, [-22, 16, -38][j % 3] - 9 * k),
                            textcoords="offset points", ha="right" if left else "left",
                            fontsize=7.5, bbox=dict(boxstyle="round", fc="white", ec="0.7",
                                                    alpha=0.9),
                            arrowprops=dict(arrowstyle="-", lw=0.6, color="0.3"), zorder=6))

        for path, pts in stream:
            spots = {}  # blocks of the same shape land on one star: one label for them
            for p in pts:
                y = p["ops"] / p["cycles"]
                x = p["ops"] / p["dram_bytes"] if p["dram_bytes"] else x_inf
                spots.setdefault((round(math.log(x), 2), round(math.log(y), 2)),
                                 [x, y, []])[2].append(p["name"])
            for x, y, who in spots.values():
                ax.plot(x, y, "*", color=STAR, mec="k", mew=0.6, ms=15, zorder=5)
                if len(spots) <= 6:
                    annots.append(ax.annotate("streaming " + ", ".join(who[:3]) + (" ..." if len(who) > 3
                                                                     else ""),
                                (x, y), xytext=(10, -14), textcoords="offset points",
                                fontsize=7.5, color="0.1",
                                bbox=dict(boxstyle="round", fc="#fff4d6", ec="none", alpha=0.9),
                                arrowprops=dict(arrowstyle="-", lw=0.6, color="0.3"),
                                zorder=6))
            speaks = {p["peak_ops"] for p in pts if p["peak_ops"]}
            for sp in speaks:
                if all(abs(sp - h["peak_ops_per_cycle"]) > 0.5 for h in hws):
                    ax.axhline(sp, color=STAR, lw=1.0, ls=":", zorder=1)
                    ax.text(xlo * 1.1, sp * 1.05, f"streaming peak: {sp:,} ops/cycle (one MAC "
                            "array per conv)", fontsize=7, color="0.3", va="bottom")

        ax.set_xlim(xlo, xhi)
        ax.set_ylim(ylo, yhi)
        ax.set_xlabel("arithmetic intensity (ops per byte moved; filled: DRAM bytes, "
                      "hollow: SRAM bytes)")
        ax.set_ylabel("attained performance (ops per cycle; 1 MAC = 2 ops)")
        ax.grid(True, which="major", alpha=0.3)
        ax.grid(True, which="minor", alpha=0.08)

        # Legend 1: the roofs and marker meanings; legend 2: op types.
        h1, l1 = ax.get_legend_handles_labels()
        h1.append(Line2D([], [], marker="o", ls="", color="0.4", ms=6))
        l1.append("filled: at DRAM intensity")
        h1.append(Line2D([], [], marker="o", ls="", mfc="none", mec="0.4", ms=6))
        l1.append("hollow: same op at SRAM intensity")
        if any_null:
            h1.append(Patch(color="0.9"))
            l1.append("shaded band: op moves no DRAM bytes (infinite DRAM intensity)")
        if len(reps) > 1:
            for k, name in enumerate(names):
                h1.append(Line2D([], [], marker=SHAPES[k % len(SHAPES)], ls="", color="0.4",
                                 mec="k" if k else "0.4", ms=7))
                l1.append(f"[{chr(65 + k)}] {name}")
        for path, pts in stream:
            h1.append(Line2D([], [], marker="*", ls="", color=STAR, mec="k", ms=13))
            what = "fused block" if len(pts) == 1 else f"{len(pts)} blocks"
            l1.append(f"streaming pipeline ({what}, {os.path.basename(path)})")
        leg = ax.legend(h1, l1, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                        borderaxespad=0)
        ax.add_artist(leg)
        types = [t for t in TYPE_COLOURS if any(o["type"] == t for r in reps for o in r["ops"])]
        ax.legend([Line2D([], [], marker="o", ls="", color=TYPE_COLOURS[t], ms=7) for t in types],
                  types, title="op type (colour)", loc="lower left", bbox_to_anchor=(1.01, 0.0),
                  fontsize=8, title_fontsize=8, borderaxespad=0)

        declutter(fig, annots)
        if a.title:
            title = a.title
        else:
            hw0 = reps[0]["hardware"]
            arr = (f"{hw0.get('mac_rows', '?')}x{hw0.get('mac_cols', '?')} "
                   f"{hw0.get('dataflow', '')} MAC array").replace("  ", " ")
            sram = hw0.get("sram_bytes")
            sram = f", {sram / 2 ** 20:g} MiB SRAM" if isinstance(sram, int) else ""
            models = ", ".join(sorted({f"{r['model']} {input_of(r)}" for r in reps}))
            title = (f"Roofline of every op, layer by layer on one {arr}{sram}: {models}"
                     + ("\nwith the streaming pipeline" if stream else ""))
        ax.set_title(title, fontsize=10)
        fig.tight_layout()
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        fig.savefig(a.out, dpi=110, bbox_inches="tight", bbox_extra_artists=[leg])
    except PlotError as e:
        return fail(PROG, e)
    print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
