#!/usr/bin/python3
"""Sweep the activation SRAM of the layer-by-layer NPU (`skipsim npu`) for one or more models
and plot DRAM bytes and cycles against SRAM size: a chain network (VGG) against a residual
one (ResNet), whose skip tensors must stay live and spill to DRAM when SRAM is short.

usage: scripts/npu_sram_sweep.py --model vgg16 --model resnet18 [--input 224x224]
           [--sram-kib 512,1024,...] [--config FILE] [--set K=V ...] [--jobs N]
           [--reports-dir DIR] [--csv OUT.csv] -o OUT.png
       scripts/npu_sram_sweep.py --from-csv SWEEP.csv -o OUT.png

For each model and size runs `skipsim npu --model M --input HxW --set
npu.activation_bytes=<KiB x 1024> --report DIR/M_<KiB>.json -q`, up to --jobs at once. A report
already in --reports-dir (default: OUT's name + _reports) is reused, so an interrupted sweep
resumes; one for another model, input or size is an error. Top panel: DRAM bytes in total
(solid) and spilled + filled back (dashed); bottom panel: cycles as a change against the
largest size (the legend gives them in millions); one colour per model, log2 SRAM axis. The dotted verticals mark each model's peak of live activation bytes at the largest
size (the SRAM it needs to never spill). --csv writes model,sram_kib,cycles,dram_bytes,
spill_bytes,fill_bytes,sram_peak_live_bytes,max_live_activation_tensors; --from-csv plots one.
The binary is --skipsim, else $SKIPSIM, else build/skipsim. Run with /usr/bin/python3.
"""
import argparse
import csv
import os
import subprocess
import sys
from concurrent.futures import CancelledError, ThreadPoolExecutor

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as ticker  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_common import PlotError, fail, number, read_rows  # noqa: E402
from npu_common import get, input_of, load_npu, skipsim_exe  # noqa: E402

PROG = "npu_sram_sweep"
COLUMNS = ["model", "sram_kib", "cycles", "dram_bytes", "spill_bytes", "fill_bytes",
           "sram_peak_live_bytes", "max_live_activation_tensors"]


def kib_list(text: str) -> list:
    try:
        vals = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        vals = []
    if not vals or any(v <= 0 for v in vals):
        raise PlotError(f"--sram-kib '{text}': expected positive integers separated by commas "
                        "(e.g. 512,1024,2048)")
    return sorted(set(vals))


def row_of(path: str, rep: dict, kib: int) -> dict:
    return {"model": rep["model"], "sram_kib": kib, "cycles": get(rep, path, "cycles", int),
            "dram_bytes": get(rep, path, "dram.total", int),
            "spill_bytes": get(rep, path, "spill_bytes", int),
            "fill_bytes": get(rep, path, "fill_bytes", int),
            "sram_peak_live_bytes": get(rep, path, "sram_peak_live_bytes", int),
            "max_live_activation_tensors": get(rep, path, "max_live_activation_tensors", int)}


def existing(path: str, model: str, hw: str, kib: int):
    """The report already at path when it is the same point; None when absent or torn."""
    if not os.path.exists(path):
        return None
    try:
        rep = load_npu(path)
    except PlotError:
        return None  # torn or foreign: run it again
    have = (rep["model"], input_of(rep), rep.get("npu", {}).get("activation_bytes"))
    if have != (model, hw, kib * 1024):
        raise PlotError(f"{path}: a report of {have[0]} {have[1]} with activation_bytes "
                        f"{have[2]}, expected {model} {hw} with {kib * 1024} (use another "
                        "--reports-dir or remove it)")
    return rep


def run_point(exe, model, hw, kib, extra, path):
    part = path + ".part"
    cmd = [exe, "npu", "--model", model, "--input", hw, "--set",
           f"npu.activation_bytes={kib * 1024}"] + extra + ["--report", part, "-q"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise PlotError(f"{exe}: {e.strerror} (build it, or name it with --skipsim or $SKIPSIM)")
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or [f"exited {p.returncode}"])[-1]
        raise PlotError(f"`skipsim npu --model {model}` at {kib} KiB failed: {last}")
    os.replace(part, path)
    return load_npu(path)


def sweep(a, kibs) -> list:
    exe = skipsim_exe(a.skipsim)
    hw = a.input or "224x224"
    d = a.reports_dir or os.path.splitext(a.out)[0] + "_reports"
    os.makedirs(d, exist_ok=True)
    extra = (["--config", a.config] if a.config else []) + [x for s in a.set for x in ("--set", s)]
    todo, rows = [], {}
    for m in a.model:
        for k in kibs:
            path = os.path.join(d, f"{m}_{k}.json")
            rep = existing(path, m, hw, k)
            if rep is not None:
                rows[(m, k)] = row_of(path, rep, k)
            else:
                todo.append((m, k, path))
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futs = {pool.submit(run_point, exe, m, hw, k, extra, path): (m, k, path)
                for m, k, path in todo}
        err = None
        for f, (m, k, path) in futs.items():
            try:
                rows[(m, k)] = row_of(path, f.result(), k)
            except CancelledError:
                continue
            except PlotError as e:
                err = err or e
                for g in futs:
                    g.cancel()
        if err:
            raise err
    return [rows[(m, k)] for m in a.model for k in kibs]


def from_csv(path: str) -> list:
    rows = []
    for r in read_rows(path, COLUMNS):
        row = {"model": r["model"]}
        for c in COLUMNS[1:]:
            row[c] = number(path, r, c, int)
        rows.append(row)
    return rows


def mib(v, _=None):
    return f"{v:,.0f}" if v >= 10 else f"{v:,.2g}"


def plot(rows: list, out: str, title: str):
    models = list(dict.fromkeys(r["model"] for r in rows))
    kibs = sorted({r["sram_kib"] for r in rows})
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(12, 8))
    for i, m in enumerate(models):
        rs = sorted((r for r in rows if r["model"] == m), key=lambda r: r["sram_kib"])
        col = f"C{i}"
        xs = [r["sram_kib"] for r in rs]
        ax1.plot(xs, [r["dram_bytes"] / 2 ** 20 for r in rs], "o-", color=col,
                 label=f"{m}: DRAM bytes in total")
        sf = [(r["sram_kib"], (r["spill_bytes"] + r["fill_bytes"]) / 2 ** 20) for r in rs]
        pos = [(x, v) for x, v in sf if v > 0]
        zero = [x for x, v in sf if v == 0]
        note = (" (none at any size)" if not pos else
                f" (none from {min(zero):,} KiB)" if zero else "")
        ax1.plot([x for x, _ in pos], [v for _, v in pos], "s--", color=col, mfc="white",
                 label=f"{m}: spilled + filled back{note}")
        c0, c1 = rs[0]["cycles"], rs[-1]["cycles"]
        ax2.plot(xs, [100 * (r["cycles"] / c1 - 1) for r in rs], "o-", color=col,
                 label=f"{m}: {c1 / 1e6:,.2f} M cycles at {xs[-1]:,} KiB, {c0 / 1e6:,.2f} M at "
                       f"{xs[0]:,} KiB")
        need = rs[-1]["sram_peak_live_bytes"] / 1024
        if kibs[0] / 1.5 < need < kibs[-1] * 1.5:
            for ax in (ax1, ax2):
                ax.axvline(need, color=col, ls=":", lw=1.2)
            ax2.annotate(f"{m} live peak\n{need:,.0f} KiB, "
                         f"{rs[-1]['max_live_activation_tensors']} tensors",
                         (need, 0.6), xycoords=("data", "axes fraction"), xytext=(4, -30 * i),
                         textcoords="offset points", va="top", fontsize=7.5, color=col,
                         bbox=dict(boxstyle="round", fc="white", ec="none", alpha=0.8))
    ax1.set_xscale("log", base=2)
    ax1.set_xlim(kibs[0] / 1.4, kibs[-1] * 1.4)
    ax1.set_xticks(kibs)
    ax1.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax1.xaxis.set_minor_locator(ticker.NullLocator())
    ax1.set_yscale("log")
    ax1.yaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
    ax1.yaxis.set_major_formatter(ticker.FuncFormatter(mib))
    ax1.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax2.axhline(0, color="0.5", lw=0.8)
    ax2.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:+g} %" if v else "0 %"))
    for ax in (ax1, ax2):
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax1.set_ylabel("DRAM traffic (MiB, log)")
    ax2.set_ylabel(f"cycles, change against {kibs[-1]:,} KiB (%)")
    ax2.set_xlabel("activation SRAM (KiB, npu.activation_bytes)")
    ax1.set_title(title, fontsize=10)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=110)


def title_of(a, rows, first_report) -> str:
    if a.title:
        return a.title
    models = ", ".join(dict.fromkeys(r["model"] for r in rows))
    t = "DRAM traffic and cycles against activation SRAM, layer by layer on one NPU: " + models
    if a.input or first_report:
        t += f" at {a.input or input_of(first_report)}"
    if first_report:
        hw = first_report["hardware"]
        t += (f"\n{hw.get('mac_rows', '?')}x{hw.get('mac_cols', '?')} {hw.get('dataflow', '')}"
              f" MAC array, DRAM {hw.get('dram_bytes_per_cycle', 0):g} B/cycle, "
              f"{first_report['npu'].get('allocator', '?')} allocator, spill "
              f"{first_report['npu'].get('spill', '?')}")
    return t


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--model", "-m", action="append", default=[], help="model (repeatable)")
    ap.add_argument("--input", help="input image HxW (default 224x224)")
    ap.add_argument("--sram-kib", default="512,1024,2048,4096,8192,16384",
                    help="activation SRAM sizes in KiB, comma separated")
    ap.add_argument("--config", "-c", help="NPU configuration of every run")
    ap.add_argument("--set", action="append", default=[], metavar="K=V",
                    help="config override of every run (repeatable)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="runs at once (default 2)")
    ap.add_argument("--reports-dir", help="where the reports go (default: OUT_reports/)")
    ap.add_argument("--skipsim", help="skipsim binary (default $SKIPSIM or build/skipsim)")
    ap.add_argument("--csv", help="write the sweep as CSV")
    ap.add_argument("--from-csv", metavar="CSV", help="plot this CSV, run nothing")
    ap.add_argument("-o", "--out", required=True, help="PNG file to write")
    ap.add_argument("--title", help="title (default: what was simulated)")
    a = ap.parse_args(argv)
    try:
        first = None
        if a.from_csv:
            rows = from_csv(a.from_csv)
        else:
            if not a.model:
                raise PlotError("--model is required (e.g. --model vgg16 --model resnet18), "
                                "or --from-csv CSV")
            for s in a.set:
                if "=" not in s:
                    raise PlotError(f"--set '{s}': expected KEY=VALUE")
            kibs = kib_list(a.sram_kib)
            rows = sweep(a, kibs)
            d = a.reports_dir or os.path.splitext(a.out)[0] + "_reports"
            first = load_npu(os.path.join(d, f"{a.model[0]}_{kibs[0]}.json"))
        if a.csv:
            with open(a.csv, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
                w.writeheader()
                w.writerows(rows)
        plot(rows, a.out, title_of(a, rows, first))
    except PlotError as e:
        return fail(PROG, e)
    except OSError as e:
        return fail(PROG, PlotError(f"{e.filename}: {e.strerror}"))
    print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
