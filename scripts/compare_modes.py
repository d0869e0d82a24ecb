#!/usr/bin/python3
"""The same residual block(s) on the two NPU organizations, side by side: layer by layer on
one MAC array with activations in SRAM (`skipsim npu`) against the streaming pipeline
(`skipsim network`, each block a `skipsim run` on that block's tensors).

usage: scripts/compare_modes.py --model resnet18 --blocks layer1.0 [--input 224x224]
           [--config FILE] [--set K=V ...] [--skipsim PATH] [--keep DIR] [--json OUT]

Runs `skipsim npu ... --report` and `skipsim network ... --report` on the same model, input
and blocks, then prints cycles, DRAM bytes (total and by purpose), peak SRAM, skip storage and
MAC utilization side by side. --set keys under npu. go to `skipsim npu` only, the others to
both. The binary is --skipsim, else $SKIPSIM, else build/skipsim.

What each row takes:
  peak SRAM, npu:       sram_peak_live_bytes (activations) + npu.weight_buffer_bytes (twice
                        with npu.weight_prefetch: the buffer is doubled)
  peak SRAM, streaming: per block, its weights (DRAM weight bytes: each weight is loaded into
                        SRAM once) + line buffers (only in a `skipsim run` report's
                        sram.regions) + the skip FIFO at peak occupancy; the largest block
                        (network mode runs the blocks one after another)
  skip storage, npu:    the tensors with skip=true: largest bytes, longest lifetime
                        (last_cycle - first_cycle), bytes spilled
  skip storage, stream: skip_fifo_bytes_max (the skip FIFO's peak occupancy in SRAM)
  MAC utilization:      useful MACs / (cycles x MACs per cycle of all arrays); the npu has
                        one array, the streaming pipeline one per conv
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_common import PlotError, fail  # noqa: E402
from npu_common import (get, input_of, load_json, load_npu, run_mac_pes, run_macs,  # noqa: E402
                        skipsim_exe, streaming_kind)

PROG = "compare_modes"
PURPOSES = ("weights", "input", "output", "spill", "fill")


def run_skipsim(exe: str, args: list) -> None:
    try:
        p = subprocess.run([exe] + args, capture_output=True, text=True)
    except OSError as e:
        raise PlotError(f"{exe}: {e.strerror} (build it, or name it with --skipsim or $SKIPSIM)")
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or [f"exited {p.returncode}"])[-1]
        raise PlotError(f"`skipsim {args[0]}` failed: {last}")


def npu_side(path: str) -> dict:
    rep = load_npu(path)
    hw, npu = rep["hardware"], rep["npu"]
    dram = {k: get(rep, path, f"dram.{k}", int) for k in PURPOSES}
    dram["total"] = get(rep, path, "dram.total", int)
    act = get(rep, path, "sram_peak_live_bytes", int)
    wbuf = get(rep, path, "npu.weight_buffer_bytes", int) * (2 if npu.get("weight_prefetch") else 1)
    skips = [t for t in get(rep, path, "tensors", list) if isinstance(t, dict) and t.get("skip")]
    for i, t in enumerate(skips):
        for k in ("bytes", "first_cycle", "last_cycle"):
            get(t, f"{path}: skip tensor {t.get('name', i)}", k, int)
    useful = sum(o["ops"] for o in rep["ops"] if o["type"] in ("conv", "fc")) / 2
    peak_macs = hw["peak_ops_per_cycle"] / 2
    cycles = rep["cycles"]
    return {
        "what": f"skipsim npu ({hw.get('mac_rows', '?')}x{hw.get('mac_cols', '?')} "
                f"{hw.get('dataflow', '')}, {npu.get('allocator', '?')} allocator"
                f"{', fused add' if npu.get('fuse_add') else ''})",
        "model": rep["model"], "input": input_of(rep),
        "cycles": cycles,
        "mac_arrays": f"1 ({peak_macs:,.0f} MACs/cycle)",
        "mac_utilization": useful / (cycles * peak_macs) if cycles and peak_macs else None,
        "dram": dram,
        "sram_weights": wbuf, "sram_line_buffers": None, "sram_activations": act,
        "sram_skip": None, "sram_peak": act + wbuf,
        "skip_bytes": max((t["bytes"] for t in skips), default=0),
        "skip_tensors": len(skips),
        "skip_lifetime": max((t["last_cycle"] - t["first_cycle"] for t in skips), default=None),
        "skip_spilled": sum(t.get("spilled_bytes", 0) for t in skips),
        "mac_idle_in_adds": rep.get("mac_idle_cycles_in_adds"),
        "golden": rep.get("golden", {}).get("match"),
    }


def region_bytes(node, path=""):
    """(path, bytes) of every SRAM region under a run report's sram.regions."""
    if isinstance(node, dict):
        if isinstance(node.get("bytes"), int):
            yield path, node["bytes"]
        for k, v in node.items():
            yield from region_bytes(v, f"{path}.{k}")


def stream_side(path: str) -> dict:
    rep = load_json(path)
    kind = streaming_kind(rep, path)
    try:
        if kind == "run":
            return run_side(rep, path)
        return network_side(rep, path)
    except (KeyError, TypeError) as e:
        raise PlotError(f"{path}: missing key {e} (expected a complete `skipsim {kind}` report)")


def run_side(rep: dict, path: str) -> dict:
    cycles = rep["cycles"]
    by = rep["dram"]["by_purpose"]
    dram = {k: by.get(k, {}).get("bytes", 0) for k in PURPOSES}
    dram["total"] = rep["dram"]["bytes_read"] + rep["dram"]["bytes_written"]
    regions = list(region_bytes(rep.get("sram", {}).get("regions", {})))
    weights = sum(b for p, b in regions if "weights" in p)
    lines = sum(b for p, b in regions if "line_buffer" in p)
    skip = rep["fifos"]["skip"]
    skip_peak = skip.get("max_occupancy_bytes",
                         skip["max_occupancy"] * skip.get("bytes_per_beat", 16))
    pes = run_mac_pes(rep)
    w = rep.get("workload", {})
    return {
        "what": "skipsim run (streaming pipeline)",
        "model": f"{w.get('block', '?')} block", "input": input_of(rep),
        "cycles": cycles,
        "mac_arrays": f"{sum(1 for m in rep['modules'].values() if 'useful_macs' in m)} "
                      f"({pes:,} MACs/cycle)",
        "mac_utilization": run_macs(rep, path) / (cycles * pes) if pes else None,
        "dram": dram,
        "sram_weights": weights, "sram_line_buffers": lines, "sram_activations": None,
        "sram_skip": skip_peak, "sram_peak": weights + lines + skip_peak,
        "blocks": [f"{w.get('block', '?')} {input_of(rep)}x{w.get('input', {}).get('c', '?')}"],
        "skip_bytes": skip_peak, "skip_tensors": 1, "skip_lifetime": None,
        "skip_spilled": rep["dram"]["by_purpose"].get("spill", {}).get("bytes", 0),
        "golden": rep.get("output", {}).get("matches_golden"),
    }


def network_side(rep: dict, path: str) -> dict:
    blocks = [b for b in rep["blocks"] if b.get("simulated")]
    if not blocks:
        raise PlotError(f"{path}: no simulated block (expected a `skipsim network` report)")
    dram = {k: sum(b["dram"][k]["bytes"] for b in blocks) for k in PURPOSES}
    dram["total"] = sum(dram.values())
    per_block, pes = [], set()
    for b in blocks:
        sram = b.get("sram", {})  # per-block SRAM regions, when the report carries them
        regions = list(region_bytes(sram.get("regions", {})))
        weights = sum(v for p, v in regions if "weights" in p) or b["dram"]["weights"]["bytes"]
        lines = sum(v for p, v in regions if "line_buffer" in p) if regions else None
        skip = b["fifos"]["skip"]["max_occupancy_bytes"]
        per_block.append((weights + (lines or 0) + skip, weights, lines, skip))
        if b.get("mac_utilization"):
            pes.add(round(b["macs"] / (b["mac_utilization"] * b["cycles"])))
    peak = max(per_block)
    macs = sum(b["macs"] for b in blocks)
    busy = sum(b["macs"] / b["mac_utilization"] for b in blocks if b.get("mac_utilization"))
    return {
        "what": "skipsim network (streaming pipeline per block)",
        "model": rep["model"], "input": input_of(rep),
        "blocks": [b["name"] for b in blocks],
        "cycles": sum(b["cycles"] for b in blocks),
        "mac_arrays": "one per conv ("
                      + "/".join(f"{p:,}" for p in sorted(pes)) + " MACs/cycle)",
        "mac_utilization": macs / busy if busy else None,
        "dram": dram,
        "sram_weights": peak[1], "sram_line_buffers": peak[2], "sram_activations": None,
        "sram_skip": peak[3], "sram_peak": peak[0],
        "skip_bytes": rep.get("skip_fifo_bytes_max", max(p[3] for p in per_block)),
        "skip_tensors": len(blocks), "skip_lifetime": None,
        "skip_spilled": dram["spill"],
        "golden": all(b.get("matches_golden") for b in blocks),
    }


def fmt(v, kind="n"):
    if v is None:
        return "-"
    if kind == "%":
        return f"{100 * v:.1f} %"
    if kind == "b":
        return f"{v:,}" + (f" ({v / 1024:,.1f} KiB)" if v >= 1024 else "")
    if isinstance(v, bool):
        return "yes" if v else "NO"
    return f"{v:,}" if isinstance(v, int) else str(v)


ROWS = [("cycles", "cycles", "n"), ("MAC arrays", "mac_arrays", "s"),
        ("MAC utilization", "mac_utilization", "%"),
        ("MAC idle while adds run (cycles)", "mac_idle_in_adds", "n"),
        ("DRAM bytes total", "dram.total", "b")] + \
    [(f"  {p}", f"dram.{p}", "b") for p in PURPOSES] + \
    [("peak SRAM bytes", "sram_peak", "b"), ("  weights (npu: weight buffers)", "sram_weights", "b"),
     ("  activations (peak live)", "sram_activations", "b"),
     ("  line buffers", "sram_line_buffers", "b"), ("  skip FIFO at peak", "sram_skip", "b"),
     ("skip storage bytes (largest)", "skip_bytes", "b"),
     ("  skip lifetime (cycles)", "skip_lifetime", "n"),
     ("  skip bytes spilled", "skip_spilled", "b"),
     ("bit-exact", "golden", "n")]


def value(side, key):
    for k in key.split("."):
        side = side.get(k) if isinstance(side, dict) else None
    return side


def table(npu: dict, st: dict) -> str:
    head = ("", "layer by layer (npu)", "streaming", "npu / streaming")
    lines = []
    for label, key, kind in ROWS:
        a, b = value(npu, key), value(st, key)
        ratio = (f"{a / b:.2f}x" if isinstance(a, (int, float)) and isinstance(b, (int, float))
                 and not isinstance(a, bool) and b else "")
        lines.append((label, fmt(a, kind), fmt(b, kind), ratio))
    w = [max(len(r[i]) for r in lines + [head]) for i in range(4)]
    out = [f"{npu['model']} {npu['input']}, blocks {', '.join(st.get('blocks', [])) or '-'}",
           f"  npu:       {npu['what']}", f"  streaming: {st['what']}", ""]
    for r in [head] + lines:
        out.append(f"{r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:>{w[2]}}  {r[3]:>{w[3]}}".rstrip())
    if (npu["model"], npu["input"]) != (st["model"], st["input"]) and "network" in st["what"]:
        out.append(f"note: the streaming report is {st['model']} {st['input']}, not the same run")
    if st.get("sram_line_buffers") is None:
        out.append("streaming peak SRAM: weights + skip FIFO peak of the largest block "
                   "(this report has no line buffer bytes)")
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--model", "-m", help="built-in model (e.g. resnet18)")
    ap.add_argument("--blocks", help="blocks: NAME or FIRST:LAST (e.g. layer1.0)")
    ap.add_argument("--input", default="224x224", help="input image HxW (default 224x224)")
    ap.add_argument("--config", "-c", help="NPU configuration passed to both")
    ap.add_argument("--set", action="append", default=[], metavar="K=V",
                    help="config override (npu.* to skipsim npu only, others to both)")
    ap.add_argument("--skipsim", help="skipsim binary (default $SKIPSIM or build/skipsim)")
    ap.add_argument("--keep", metavar="DIR", help="write the two reports to DIR (kept)")
    ap.add_argument("--json", metavar="OUT", help="also write the comparison as JSON")
    ap.add_argument("--reports", nargs=2, metavar=("NPU.json", "STREAM.json"),
                    help=argparse.SUPPRESS)  # compare existing reports, run nothing
    a = ap.parse_args(argv)
    scratch = None
    try:
        if a.reports:
            npu_path, st_path = a.reports
        else:
            if not a.model or not a.blocks:
                raise PlotError("--model and --blocks are required (e.g. --model resnet18 "
                                "--blocks layer1.0)")
            d = a.keep or tempfile.mkdtemp(prefix="compare_modes.")
            scratch = None if a.keep else d
            os.makedirs(d, exist_ok=True)
            npu_path, st_path = os.path.join(d, "npu.json"), os.path.join(d, "network.json")
            common = ["--model", a.model, "--input", a.input, "--blocks", a.blocks, "-q"]
            if a.config:
                common += ["--config", a.config]
            exe = skipsim_exe(a.skipsim)
            for s in a.set:
                if "=" not in s:
                    raise PlotError(f"--set '{s}': expected KEY=VALUE")
            npu_sets = [x for s in a.set for x in ("--set", s)]
            st_sets = [x for s in a.set if not s.startswith("npu.") for x in ("--set", s)]
            run_skipsim(exe, ["npu"] + common + npu_sets + ["--report", npu_path])
            run_skipsim(exe, ["network"] + common + st_sets + ["--report", st_path])
        npu, st = npu_side(npu_path), stream_side(st_path)
        print(table(npu, st))
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"npu": npu, "streaming": st,
                           "reports": {"npu": npu_path, "streaming": st_path}}, f, indent=1)
    except PlotError as e:
        return fail(PROG, e)
    except OSError as e:
        return fail(PROG, PlotError(f"{e.filename}: {e.strerror}"))
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
