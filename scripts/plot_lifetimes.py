#!/usr/bin/python3
"""The SRAM plan of `skipsim npu` over time: every activation tensor's lifetime and the live
activation bytes against the activation SRAM.

usage: scripts/plot_lifetimes.py NPU_REPORT.json [-o OUT.png] [--title T]

Top: one row per tensor of the report's "tensors" (in order), a bar from its first_cycle (its
producer's first write) to its last_cycle (its last consumer's last read). A residual block's X
(skip: true) is orange, other tensors blue, a tensor the plan never places in SRAM
(dram: true) grey; a tensor with spilled_bytes > 0 is hatched. Faint lines mark where each op
starts; alternate shading and the names on top mark the blocks (ops[].block).
Bottom (same x): the bytes of the tensors live at each cycle (skip tensors at the bottom of
the stack), the activation SRAM (npu.activation_bytes; named in the legend instead when over
twice the peak) and the peak the plan kept resident (sram_peak_live_bytes); where the live
bytes rise above the SRAM line the plan must spill.
Default output: the report's name with .png for .json. Uses Debian's python3-matplotlib
(run with /usr/bin/python3).
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_common import PlotError, fail  # noqa: E402
from npu_common import get, input_of, load_npu  # noqa: E402

PROG = "plot_lifetimes"
SKIP, MAIN, NEVER = "tab:orange", "tab:blue", "0.6"
ALL_LABELS_UP_TO = 40  # more tensors than this: only the skip tensors' rows are named


def tensors_of(rep: dict, path: str) -> list:
    ts = get(rep, path, "tensors", list)
    if not ts:
        raise PlotError(f"{path}: 'tensors' is empty (expected the activation tensors of a "
                        "`skipsim npu` report)")
    for i, t in enumerate(ts):
        where = f"{path}: tensors[{i}]"
        if not isinstance(t, dict):
            raise PlotError(f"{where}: expected an object")
        name = t.get("name", "?")
        for k, kind in (("name", str), ("bytes", int), ("first_cycle", int),
                        ("last_cycle", int), ("dram", bool), ("spilled_bytes", int),
                        ("skip", bool)):
            if k not in t:
                raise PlotError(f"{where} ({name}): missing key '{k}' (expected the tensor "
                                "fields of a `skipsim npu` report)")
            get({k: t[k]}, f"{where} ({name})", k, kind)
        if t["last_cycle"] < t["first_cycle"]:
            raise PlotError(f"{where} ({name}): last_cycle {t['last_cycle']} is before "
                            f"first_cycle {t['first_cycle']}")
    for i, op in enumerate(rep["ops"]):
        get(op, f"{path}: ops[{i}] ({op['name']})", "first_cycle", int)
    return ts


def live_curve(ts: list):
    """Step points (cycle, skip bytes, other bytes): the tensors whose [first, last] covers t."""
    ev = {}
    for t in ts:
        k = 0 if t["skip"] else 1
        for c, d in ((t["first_cycle"], t["bytes"]), (t["last_cycle"] + 1, -t["bytes"])):
            ev.setdefault(c, [0, 0])[k] += d
    xs, skip, other, s, o = [], [], [], 0, 0
    for c in sorted(ev):
        s += ev[c][0]
        o += ev[c][1]
        xs.append(c)
        skip.append(s)
        other.append(o)
    return xs, skip, other


def blocks_of(ops: list) -> list:
    """(name, first cycle, end cycle) of each run of ops with the same block."""
    out = []
    for op in ops:
        b = op.get("block") if isinstance(op.get("block"), str) else op["name"].rsplit(".", 1)[0]
        end = op["first_cycle"] + op["cycles"]
        if out and out[-1][0] == b:
            out[-1][2] = end
        else:
            out.append([b, op["first_cycle"], end])
    return out


def fmt_bytes(b: float) -> str:
    if b >= 2 ** 20:
        return f"{b / 2 ** 20:.2f} MiB"
    return f"{b / 1024:.1f} KiB" if b >= 1024 else f"{b:.0f} B"


def label_blocks(fig, ax, blocks):
    """Block names above the top panel, centred on each block; a name that would overlap an
    earlier one (many small blocks, e.g. ResNet-50) is left out."""
    fig.canvas.draw()
    placed = []
    for name, lo, hi in blocks:
        short = name.replace("layer", "L") if len(blocks) > 12 else name
        tx = ax.text((lo + hi) / 2, 1.005, short, transform=ax.get_xaxis_transform(),
                     ha="center", va="bottom", fontsize=7, color="0.25")
        bb = tx.get_window_extent().expanded(1.15, 1.0)
        if any(bb.overlaps(p) for p in placed):
            tx.remove()
        else:
            placed.append(bb)


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description=" ".join(__doc__.split("\n")[:2]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[4:]))
    ap.add_argument("report", metavar="NPU_REPORT.json", help="a report of `skipsim npu --report`")
    ap.add_argument("-o", "--out", help="PNG file to write (default: the report's name, .png)")
    ap.add_argument("--title", help="title (default: model, input, allocator, activation SRAM)")
    a = ap.parse_args(argv)
    out = a.out or os.path.splitext(a.report)[0] + ".png"
    try:
        rep = load_npu(a.report)
        ts = tensors_of(rep, a.report)
        cap = get(rep, a.report, "npu.activation_bytes", int)
        alloc = get(rep, a.report, "npu.allocator", str)
        peak_res = get(rep, a.report, "sram_peak_live_bytes", int)
        ops = rep["ops"]
        x_end = max([rep["cycles"]] + [t["last_cycle"] + 1 for t in ts])
        n = len(ts)

        rows_h = max(2.2, 0.13 * n if n <= ALL_LABELS_UP_TO else 5.2 + 0.05 * (n - 40))
        fig, (ax, bx) = plt.subplots(2, 1, sharex=True, figsize=(13, rows_h + 4.2),
                                     gridspec_kw=dict(height_ratios=[rows_h, 2.3], hspace=0.06))
        blocks = blocks_of(ops)
        for k, (_, lo, hi) in enumerate(blocks):
            if k % 2:
                for axis in (ax, bx):
                    axis.axvspan(lo, hi, color="0.93", zorder=0, lw=0)
        for op in ops:
            for axis in (ax, bx):
                axis.axvline(op["first_cycle"], color="0.55", lw=0.35, alpha=0.5, zorder=1)

        min_w = x_end * 0.002  # the head's tensors live a few hundred cycles: keep them visible
        for i, t in enumerate(ts):
            col = NEVER if t["dram"] else SKIP if t["skip"] else MAIN
            w = max(t["last_cycle"] + 1 - t["first_cycle"], min_w)
            spilled = t["spilled_bytes"] > 0
            # The hatch takes the edge colour: a never-resident skip tensor keeps an orange one.
            edge = SKIP if t["skip"] and t["dram"] else "0.15" if spilled else col
            ax.barh(i, w, left=t["first_cycle"], height=0.72, color=col, zorder=3,
                    hatch="////" if spilled else None, edgecolor=edge,
                    lw=1.0 if edge == SKIP else 0.6 if spilled else 0)
        ax.set_ylim(n - 0.4, -0.6)
        if n <= ALL_LABELS_UP_TO:
            rows = list(range(n))
        else:
            rows = [i for i, t in enumerate(ts) if t["skip"]]
        ax.set_yticks(rows)
        ax.set_yticklabels([f"{ts[i]['name']} ({fmt_bytes(ts[i]['bytes'])})" for i in rows],
                           fontsize=6.5 if len(rows) <= 40 else 5.5)
        for lab, i in zip(ax.get_yticklabels(), rows):
            if ts[i]["skip"]:
                lab.set_color("#b35900")
        ax.tick_params(axis="y", length=0)
        ax.set_ylabel("activation tensors (in order)" if n <= ALL_LABELS_UP_TO
                      else f"{n} activation tensors (skip tensors named)")
        ax.grid(True, axis="x", alpha=0.2)

        # Bottom: live bytes, skip tensors at the bottom of the stack.
        xs, skip, other = live_curve(ts)
        xs.append(x_end)
        skip.append(skip[-1])
        other.append(other[-1])
        total = [s + o for s, o in zip(skip, other)]
        peak_live = max(total)
        top = max(peak_live, peak_res)
        unit, uname = (2 ** 20, "MiB") if top >= 2 ** 20 else (1024, "KiB")
        sk = [v / unit for v in skip]
        tot = [v / unit for v in total]
        bx.fill_between(xs, 0, sk, step="post", color=SKIP, alpha=0.75, lw=0, zorder=2)
        bx.fill_between(xs, sk, tot, step="post", color=MAIN, alpha=0.45, lw=0, zorder=2)
        bx.step(xs, tot, where="post", color="navy", lw=0.9, zorder=3)
        ylim = max(top, cap if cap <= 2 * top else 0) * 1.25 / unit
        cap_label = f"activation SRAM (npu.activation_bytes): {fmt_bytes(cap)}"
        if cap / unit <= ylim:
            bx.axhline(cap / unit, color="crimson", lw=1.4, ls="--", zorder=4)
        else:  # a roomy SRAM would flatten the curve: name it instead of drawing it
            cap_label += f" = {cap / peak_live:.1f}x the peak, above the plot"
        bx.axhline(peak_res / unit, color="k", lw=1.0, ls=":", zorder=4)
        ip = total.index(peak_live)
        bx.plot(xs[ip], peak_live / unit, "v", color="navy", ms=6, zorder=5)
        bx.annotate(f"peak live {fmt_bytes(peak_live)}", (xs[ip], peak_live / unit),
                    xytext=(6, 2), textcoords="offset points", fontsize=7.5, color="navy",
                    va="bottom")
        bx.set_ylim(0, ylim)
        bx.set_ylabel(f"live activations ({uname})")
        bx.set_xlabel("cycle")
        bx.xaxis.set_major_formatter(mticker.FuncFormatter(
            lambda v, _: f"{v / 1e6:g} M" if x_end >= 2e6 else f"{v:,.0f}"))
        bx.set_xlim(0, x_end)
        bx.grid(True, axis="y", alpha=0.25)

        has_skip = any(t["skip"] for t in ts)
        hand = [Patch(color=SKIP, label="skip tensor (a block's X, live until its add)"),
                Patch(color=MAIN, label="other tensor" if has_skip else "activation tensor")
                ][0 if has_skip else 1:]
        if any(t["dram"] for t in ts):
            hand.append(Patch(color=NEVER, label="never resident (dram: true)"))
        if any(t["spilled_bytes"] for t in ts):
            hand.append(Patch(facecolor="white", edgecolor="0.15", hatch="////",
                              label="spilled to DRAM (spilled_bytes > 0)"))
        hand.append(Line2D([], [], color="0.55", lw=0.6, label="op starts"))
        ax.legend(handles=hand, loc="upper right", fontsize=7.5, framealpha=0.92)
        bx.legend(handles=[
            Line2D([], [], color="crimson", ls="--", lw=1.4, label=cap_label),
            Line2D([], [], color="k", ls=":", lw=1.0,
                   label=f"peak resident in SRAM (sram_peak_live_bytes): {fmt_bytes(peak_res)}"),
            Patch(color=SKIP, alpha=0.75, label="live skip tensors"),
            Patch(color=MAIN, alpha=0.45, label="other live tensors")][:None if has_skip else 2]
            + [Patch(color=MAIN, alpha=0.45, label="live tensors")][:0 if has_skip else 1],
            loc="upper right", fontsize=7.5, framealpha=0.92, ncol=2)

        if a.title:
            title = a.title
        else:
            spill = rep.get("spill_bytes", 0)
            fill = rep.get("fill_bytes", 0)
            title = (f"SRAM plan over time: {rep['model']} {input_of(rep)}, allocator {alloc}, "
                     f"activation SRAM {fmt_bytes(cap)} ({cap:,} B)\n"
                     f"{n} tensors, {rep['cycles']:,} cycles; spill {fmt_bytes(spill)}, "
                     f"fill {fmt_bytes(fill)}")
        ax.set_title(title, fontsize=10, pad=16)
        label_blocks(fig, ax, blocks)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        fig.savefig(out, dpi=110, bbox_inches="tight")
    except PlotError as e:
        return fail(PROG, e)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
