"""Shared helpers of the plot scripts: strict CSV reading, what was simulated, KiB axes.

Errors are one line on stderr (what, where, what was expected) and exit code 2, like skipsim.
"""
import csv
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class PlotError(Exception):
    pass


def fail(prog: str, e: Exception) -> int:
    print(f"{prog}: {e}", file=sys.stderr)
    return 2


def read_rows(path: str, required: list) -> list:
    """The CSV's rows as dicts; every required column present, no torn rows."""
    try:
        with open(path, newline="") as f:
            rd = csv.reader(f)
            header = next(rd, None)
            if not header:
                raise PlotError(f"{path}: empty file (expected a CSV header and rows)")
            missing = [c for c in required if c not in header]
            if missing:
                raise PlotError(f"{path}: line 1: missing column(s) {', '.join(missing)} "
                                f"(expected a CSV written by skipsim)")
            rows = []
            for n, cells in enumerate(rd, start=2):
                if not cells:
                    continue
                if len(cells) != len(header):
                    raise PlotError(f"{path}: line {n}: {len(cells)} fields, the header has "
                                    f"{len(header)}")
                rows.append(dict(zip(header, cells), _line=n))
    except OSError as e:
        raise PlotError(f"{path}: {e.strerror}")
    except (csv.Error, UnicodeDecodeError) as e:
        raise PlotError(f"{path}: not a CSV file ({e})")
    if not rows:
        raise PlotError(f"{path}: no data rows")
    return rows


def number(path: str, row: dict, col: str, kind=float, empty=None):
    """row[col] as int or float; an empty cell gives `empty` (an error when None)."""
    v = row.get(col, "")
    if v == "" and empty is not None:
        return empty
    try:
        return kind(float(v)) if kind is int and "." in v else kind(v)
    except ValueError:
        want = "an integer" if kind is int else "a number"
        raise PlotError(f"{path}: line {row['_line']}: column '{col}': expected {want}, got '{v}'")


def run_info(config: str, sets: list, skipsim: str = None) -> dict:
    """The effective configuration of what a sweep simulated (`skipsim run --print-config`)."""
    exe = skipsim or os.environ.get("SKIPSIM") or os.path.join(ROOT, "build", "skipsim")
    cmd = [exe, "run", "--config", config, "--print-config"]
    for s in sets:
        cmd += ["--set", s]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise PlotError(f"{exe}: {e.strerror} (build it, or name it with --skipsim or $SKIPSIM)")
    if p.returncode != 0:
        raise PlotError((p.stderr.strip().splitlines() or [f"{exe} exited {p.returncode}"])[-1])
    cfg = yaml.safe_load(p.stdout)
    cfg["_config"] = config
    return cfg


def lanes_of(rows: list, info: dict) -> int:
    """Bytes of one stream beat: a swept lanes column, else the configuration, else 16."""
    r0 = rows[0]
    for col in ("fifos.skip.bytes_per_beat", "hardware.stream.lanes"):
        if r0.get(col):
            vals = {r[col] for r in rows}
            if len(vals) == 1:
                return int(float(r0[col]))
    if info:
        return int(info["hardware"]["stream"]["lanes"])
    return 16  # the default NPU's hardware.stream.lanes


def title_of(info: dict, what: str) -> str:
    """`what` followed by the simulated block, its shape and the config file."""
    if not info:
        return what
    w = info["workload"]
    i = w["input"]
    if w["block"] == "basic":
        oh, ow = i["h"], i["w"]
    else:
        oh, ow = (i["h"] - 1) // 2 + 1, (i["w"] - 1) // 2 + 1  # stride 2, padding k/2
    shape = f"{i['h']}x{i['w']}x{i['c']} -> {oh}x{ow}x{w['out_channels']}"
    cfg = os.path.abspath(info["_config"])
    if cfg.startswith(ROOT + os.sep):
        cfg = os.path.relpath(cfg, ROOT)
    return f"{what}\n{w['block']} block {shape} ({cfg})"


def kib_axis(ax, bytes_per_beat: int, which: str = "x"):
    """A second axis in KiB of SRAM data for an axis in beats."""
    f = (lambda b: b * bytes_per_beat / 1024, lambda k: k * 1024 / bytes_per_beat)
    sec = ax.secondary_xaxis("top", functions=f) if which == "x" else \
        ax.secondary_yaxis("right", functions=f)
    plain(sec.xaxis if which == "x" else sec.yaxis)
    label = f"KiB of skip data ({bytes_per_beat} B per beat)"
    (sec.set_xlabel if which == "x" else sec.set_ylabel)(label)
    return sec


def plain(axis):
    """Plain numbers with thousands separators instead of powers on a (log) axis."""
    import matplotlib.ticker as t
    axis.set_major_formatter(t.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 10 else f"{v:g}"))
    axis.set_minor_formatter(t.NullFormatter())
