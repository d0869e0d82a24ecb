"""Shared helpers of the NPU scripts: strict reading of `skipsim npu`, `skipsim run` and
`skipsim network` JSON reports, and the skipsim binary.

Errors are PlotError (one line: what, where, what was expected); callers exit 2.
"""
import json
import os

from plot_common import ROOT, PlotError

NPU_KEYS = ("model", "input", "hardware", "npu", "cycles", "dram", "ops", "tensors")


def skipsim_exe(given: str = None) -> str:
    """--skipsim, else $SKIPSIM, else build/skipsim of this repository."""
    return given or os.environ.get("SKIPSIM") or os.path.join(ROOT, "build", "skipsim")


def load_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise PlotError(f"{path}: cannot read ({e.strerror})")
    except json.JSONDecodeError as e:
        raise PlotError(f"{path}: line {e.lineno}: not JSON ({e.msg})")
    except UnicodeDecodeError:
        raise PlotError(f"{path}: not JSON (binary data)")


def get(rep: dict, path: str, dotted: str, kind=(int, float), null_ok=False):
    """rep[a][b]... for dotted 'a.b'; the value must be of `kind` (bool is not a number)."""
    v = rep
    for k in dotted.split("."):
        if not isinstance(v, dict) or k not in v:
            raise PlotError(f"{path}: missing key '{dotted}' (expected a report of "
                            f"`skipsim npu`)")
        v = v[k]
    if v is None and null_ok:
        return None
    numeric = kind == (int, float) or kind in (int, float)
    if not isinstance(v, kind) or (numeric and isinstance(v, bool)):
        want = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
                list: "a list", dict: "an object"}.get(kind, "a number")
        raise PlotError(f"{path}: key '{dotted}': expected {want}, got {json.dumps(v)[:40]}")
    return v


def load_npu(path: str) -> dict:
    """A `skipsim npu --report` file, its keys checked."""
    rep = load_json(path)
    if not isinstance(rep, dict) or "ops" not in rep or "hardware" not in rep:
        what = "a report of `skipsim network`" if isinstance(rep, dict) and "blocks" in rep \
            else "a report of `skipsim run`" if isinstance(rep, dict) and "modules" in rep \
            else "not a report of `skipsim npu`"
        raise PlotError(f"{path}: {what} (expected a report of `skipsim npu` with keys "
                        f"hardware, ops)")
    for k in ("hardware.peak_ops_per_cycle", "hardware.dram_bytes_per_cycle",
              "hardware.sram_bytes_per_cycle", "cycles"):
        get(rep, path, k)
    get(rep, path, "model", str)
    ops = get(rep, path, "ops", list)
    for i, op in enumerate(ops):
        where = f"ops[{i}]"
        if not isinstance(op, dict):
            raise PlotError(f"{path}: key '{where}': expected an object")
        for k, kind, null in (("name", str, False), ("type", str, False), ("cycles", int, False),
                              ("ops", int, False), ("dram_bytes", int, False),
                              ("arithmetic_intensity", (int, float), True),
                              ("sram_intensity", (int, float), True),
                              ("attained_ops_per_cycle", (int, float), False)):
            if k not in op:
                raise PlotError(f"{path}: {where} ({op.get('name', '?')}): missing key '{k}' "
                                "(expected the op fields of a `skipsim npu` report)")
            get({k: op[k]}, f"{path}: {where}", k, kind, null)
    return rep


def input_of(rep: dict) -> str:
    """'HxW' of a report's input: {"h","w"} (npu, run workload) or [h, w, c] (network)."""
    i = rep.get("input")
    if isinstance(i, dict) and "h" in i:
        return f"{i['h']}x{i['w']}"
    if isinstance(i, list) and len(i) >= 2:
        return f"{i[0]}x{i[1]}"
    w = rep.get("workload", {}).get("input")
    if isinstance(w, dict):
        return f"{w['h']}x{w['w']}"
    return "?"


def streaming_kind(rep: dict, path: str) -> str:
    """'run' or 'network' for a streaming report; anything else is an error."""
    if isinstance(rep, dict) and isinstance(rep.get("blocks"), list) and "model" in rep:
        return "network"
    if isinstance(rep, dict) and isinstance(rep.get("modules"), dict) and "cycles" in rep:
        return "run"
    raise PlotError(f"{path}: expected a report of `skipsim run` (keys cycles, modules, dram) "
                    "or `skipsim network` (keys model, blocks)")


def run_macs(rep: dict, path: str) -> int:
    """Useful MACs of a `skipsim run` report: the sum over its conv engines."""
    macs = [m["useful_macs"] for m in rep["modules"].values()
            if isinstance(m, dict) and isinstance(m.get("useful_macs"), int)]
    if not macs:
        raise PlotError(f"{path}: no modules.*.useful_macs (expected a `skipsim run` report "
                        "of a block with conv engines)")
    return sum(macs)


def run_output_elements(rep: dict) -> int:
    o = rep.get("output", {})
    if isinstance(o.get("values"), int):
        return o["values"]
    w = rep.get("workload", {}).get("output", {})
    return w.get("h", 0) * w.get("w", 0) * w.get("c", 0)


def run_mac_pes(rep: dict) -> int:
    """MACs per cycle of all conv engines together, from useful_macs / (utilization x cycles)."""
    pes = 0
    for m in rep["modules"].values():
        if isinstance(m, dict) and m.get("useful_macs") and m.get("mac_utilization"):
            pes += m["useful_macs"] / (m["mac_utilization"] * rep["cycles"])
    return round(pes)


def streaming_points(path: str) -> list:
    """Roofline points of a streaming report: dicts name, cycles, ops, dram_bytes, peak_ops."""
    rep = load_json(path)
    kind = streaming_kind(rep, path)
    if kind == "run":
        try:
            cycles = rep["cycles"]
            dram = rep["dram"]["bytes_read"] + rep["dram"]["bytes_written"]
        except (KeyError, TypeError):
            raise PlotError(f"{path}: missing cycles or dram.bytes_read/bytes_written "
                            "(expected a `skipsim run` report)")
        ops = 2 * run_macs(rep, path) + run_output_elements(rep)
        w = rep.get("workload", {})
        name = f"{w.get('block', 'block')} {input_of(rep)}x{w.get('input', {}).get('c', '?')}"
        return [dict(name=name, cycles=cycles, ops=ops, dram_bytes=dram,
                     peak_ops=2 * run_mac_pes(rep))]
    pts = []
    for b in rep["blocks"]:
        if not isinstance(b, dict) or not b.get("simulated") or not b.get("finished", True):
            continue
        try:
            cycles, macs = b["cycles"], b["macs"]
            dram = sum(v["bytes"] for v in b["dram"].values())
            out = 1
            for d in b["output_shape"]:
                out *= d
        except (KeyError, TypeError, AttributeError):
            raise PlotError(f"{path}: block {b.get('name', '?')}: missing cycles, macs, "
                            "dram.*.bytes or output_shape (expected a `skipsim network` report)")
        util = b.get("mac_utilization") or 0
        pts.append(dict(name=b.get("name", "?"), cycles=cycles, ops=2 * macs + out,
                        dram_bytes=dram, peak_ops=round(2 * macs / (util * cycles)) if util else 0))
    if not pts:
        raise PlotError(f"{path}: no simulated block (expected a `skipsim network` report "
                        "with at least one simulated block)")
    return pts
