#!/usr/bin/env python3
"""Helpers of scripts/compare_dramsim3.sh (see its header for the definitions of the figures).

  gen OUT_DIR [--scale F]     write the eight traces OUT_DIR/NAME.trace and OUT_DIR/list
                              (lines NAME REQUESTS)
  ds3 RUN_DIR REQUESTS CYCLES EPOCH
                              summarise a dramsim3main run (dramsim3.json, dramsim3epoch.json)
                              as one JSON line; exit 3 when some request had not finished
  preset SRC DST              write DST: the skipsim preset SRC with DRAMSim3's address mapping
  table OUT_DIR CSV           the side-by-side table of OUT_DIR/runs/*/{skipsim,dramsim3,wall}
"""
import csv
import json
import os
import re
import sys

import numpy as np

LINE = 64  # bytes per request: one burst of a 64-bit channel, BL8
LINES = 1 << 28  # 16 GiB of 64-byte lines: the capacity of both configurations
TOLERANCE = 0.05


def _write(path, addr, is_write, cycle):
    ops = np.where(is_write, "WRITE", "READ")
    with open(path, "w") as f:  # the last line ends in a newline, as DRAMSim3's reader expects
        f.writelines(f"0x{a:x} {o} {c}\n" for a, o, c in zip(addr.tolist(), ops, cycle.tolist()))


def traces(scale):
    """name -> (addresses, is_write, arrival cycles); a fixed seed, so runs are reproducible."""
    rng = np.random.default_rng(16)

    def n(count):
        return max(30, int(count * scale))

    def rand(count):
        return rng.integers(0, LINES, n(count), dtype=np.int64) * LINE

    def every(count, gap=1):
        return np.arange(n(count), dtype=np.int64) * gap

    def reads(count):
        return np.zeros(n(count), dtype=bool)

    def mix(count, write_fraction):
        return rng.random(n(count)) < write_fraction

    seq = every(100_000) * LINE
    # Residual add: two input streams read, one output stream written, 4 GiB apart (row bits
    # under ro-ch-ra-ba-bg-co: the same bank, other rows).
    k = n(100_000) // 3
    i = np.arange(k, dtype=np.int64) * LINE
    add = np.stack([i, i + (4 << 30), i + (8 << 30)], axis=1).reshape(-1)
    add_w = np.tile([False, False, True], k)
    return {
        "seq": (seq, reads(100_000), every(100_000)),
        "random": (rand(100_000), reads(100_000), every(100_000)),
        "mixed_add": (add, add_w, np.arange(3 * k, dtype=np.int64)),
        "paced_idle": (rand(20_000), mix(20_000, 0.3), every(20_000, 200)),
        "paced_load": (rand(100_000), mix(100_000, 0.3), every(100_000, 10)),
        "random70_1m": (rand(1_000_000), mix(1_000_000, 0.3), every(1_000_000)),
        "seq_1m": (every(1_000_000) * LINE, reads(1_000_000), every(1_000_000)),
        "writes": (rand(100_000), ~reads(100_000), every(100_000)),
    }


def cmd_gen(args):
    out = args[0]
    scale = float(args[args.index("--scale") + 1]) if "--scale" in args else 1.0
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "list"), "w") as f:
        for name, (addr, w, cyc) in traces(scale).items():
            _write(os.path.join(out, name + ".trace"), addr, w, cyc)
            f.write(f"{name} {len(addr)}\n")


def cmd_preset(args):
    src, dst = args
    with open(src) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^(\s*address_map:).*$", r"\1 ro-ch-ra-ba-bg-co", text)
    text = re.sub(r"(?m)^(\s*name:)\s*(.*)$", r"\1 \2 (DRAMSim3 mapping)", text, count=1)
    if n != 1:
        print(f"compare_dramsim3: {src}: expected one 'address_map:' line, found {n}",
              file=sys.stderr)
        return 2
    with open(dst, "w") as f:
        f.write(text)
    return 0


def ds3_summary(run_dir, requests, cycles, epoch):
    """DRAMSim3's figures for one run; `end` is the middle of the last epoch with a read or write
    command or a read return (DRAMSim3 runs a fixed cycle count and reports no end of its own)."""
    with open(os.path.join(run_dir, "dramsim3.json")) as f:
        final = json.load(f)
    chans = list(final.values())
    epochs = []
    path = os.path.join(run_dir, "dramsim3epoch.json")
    if os.path.exists(path) and os.path.getsize(path) > 2:
        with open(path) as f:
            epochs = json.load(f)

    def total(key, recs):
        return sum(int(r.get(key, 0)) for r in recs)

    activity = ("num_read_cmds", "num_write_cmds", "num_reads_done")
    busy = [i // len(chans) for i, e in enumerate(epochs) if any(int(e.get(k, 0)) for k in activity)]
    tail = sum(total(k, chans) - total(k, epochs) for k in activity)
    if tail:  # activity after the last full epoch: the run may have been cut short
        end = (len(epochs) // len(chans) * epoch + cycles) / 2
    elif busy:
        end = (busy[-1] + 0.5) * epoch
    else:
        end = 0.0
    reads, writes = total("num_reads_done", chans), total("num_writes_done", chans)
    cmds = total("num_read_cmds", chans) + total("num_write_cmds", chans)
    hits = total("num_read_row_hits", chans) + total("num_write_row_hits", chans)
    lat = sum(float(c["average_read_latency"]) * int(c["num_reads_done"]) for c in chans)
    return {
        # Every request done and a quiet full epoch after the last activity.
        "finished": reads + writes >= requests and not tail and bool(busy) and
        busy[-1] + 1 < len(epochs) // len(chans),
        "reads": reads,
        "writes": writes,
        "avg_read_latency": lat / reads if reads else 0.0,
        "row_hit_rate": hits / cmds if cmds else 0.0,
        "end_cycle": end,
        "epoch": epoch,
        "act": total("num_act_cmds", chans),
        "ds3_bandwidth_gbps": float(sum(float(c["average_bandwidth"]) for c in chans)),
    }


def cmd_ds3(args):
    s = ds3_summary(args[0], int(args[1]), int(args[2]), int(args[3]))
    print(json.dumps(s))
    return 0 if s["finished"] else 3


def _ratio(a, b):
    return a / b if b else float("nan")


def _num(v, width, digits):
    return f"{v:>{width}.{digits}f}" if v == v else f"{'-':>{width}}"  # NaN: not applicable


def rows(out):
    with open(os.path.join(out, "traces", "list")) as f:  # generation order
        names = [line.split()[0] for line in f if line.strip()]
    for name in names:
        d = os.path.join(out, "runs", name)
        with open(os.path.join(d, "skipsim.json")) as f:
            s = json.load(f)
        with open(os.path.join(d, "dramsim3.json")) as f:
            r = json.load(f)
        with open(os.path.join(d, "wall")) as f:
            wall_s, wall_r = (float(x) for x in f.read().split())
        requests = int(s["requests"])
        tck = s["total_ns"] / s["total_cycles"]
        gbps = lambda cycles: requests * LINE / (cycles * tck) if cycles else 0.0  # noqa: E731
        has_reads = int(s["reads"]) > 0
        row = {
            "trace": name, "requests": requests,
            "lat_skipsim": s["avg_read_latency"] if has_reads else float("nan"),
            "lat_dramsim3": r["avg_read_latency"] if has_reads else float("nan"),
            "bw_skipsim": gbps(s["total_cycles"]), "bw_dramsim3": gbps(r["end_cycle"]),
            "hit_skipsim": s["row_hit_rate"], "hit_dramsim3": r["row_hit_rate"],
            "cycles_skipsim": int(s["total_cycles"]), "cycles_dramsim3": int(r["end_cycle"]),
            "act_skipsim": int(s["commands"]["ACT"]), "act_dramsim3": int(r["act"]),
            "wall_skipsim": wall_s, "wall_dramsim3": wall_r,
        }
        for k in ("lat", "bw", "hit", "cycles", "act", "wall"):
            row[k + "_ratio"] = _ratio(row[k + "_skipsim"], row[k + "_dramsim3"])
        yield row


def cmd_table(args):
    out, csv_path = args
    table = list(rows(out))
    if not table:
        print("compare_dramsim3: no runs under " + out, file=sys.stderr)
        return 1
    head = (f"{'trace':<12} {'requests':>9} | {'read latency (cycles)':^22} | "
            f"{'bandwidth (GB/s)':^20} | {'row-hit rate':^19} | {'total cycles':^28} | "
            f"{'wall (s)':^17}")
    sub = (f"{'':<12} {'':>9} | {'skipsim':>7} {'DS3':>7} {'ratio':>6} | {'skipsim':>7} "
           f"{'DS3':>6} {'ratio':>5} | {'skipsim':>7} {'DS3':>5} {'ratio':>5} | {'skipsim':>9} "
           f"{'DS3':>9} {'ratio':>8} | {'skipsim':>7} {'DS3':>9}")
    print(head)
    print(sub)
    print("-" * len(sub))
    bad = []
    for r in table:
        # A ratio of rates near zero says nothing (random traces hit an open row by chance).
        hit_ratio = f"{r['hit_ratio']:.3f}" if r["hit_dramsim3"] >= 0.05 else "-"
        print(f"{r['trace']:<12} {r['requests']:>9} | {_num(r['lat_skipsim'], 7, 1)} "
              f"{_num(r['lat_dramsim3'], 7, 1)} {_num(r['lat_ratio'], 6, 3)} | {r['bw_skipsim']:>7.2f} "
              f"{r['bw_dramsim3']:>6.2f} {r['bw_ratio']:>5.3f} | {r['hit_skipsim']:>7.3f} "
              f"{r['hit_dramsim3']:>5.3f} {hit_ratio:>5} | {r['cycles_skipsim']:>9} "
              f"{r['cycles_dramsim3']:>9} {r['cycles_ratio']:>8.3f} | {r['wall_skipsim']:>7.2f} "
              f"{r['wall_dramsim3']:>9.2f}")
        for k, what in (("bw", "bandwidth"), ("lat", "read latency")):
            v = r[k + "_ratio"]
            if v == v and abs(v - 1) > TOLERANCE:  # NaN: no reads in the trace
                bad.append(f"{r['trace']} {what} {v:.3f}")
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    wall_s, wall_r = (sum(r[k] for r in table) for k in ("wall_skipsim", "wall_dramsim3"))
    print(f"wall time in all: skipsim {wall_s:.2f} s, DRAMSim3 {wall_r:.2f} s "
          f"({_ratio(wall_r, wall_s):.1f}x; DRAMSim3's includes the idle cycles after the end)")
    verdict = "yes" if not bad else "NO (" + ", ".join(bad) + ")"
    print(f"within 5% of DRAMSim3 on bandwidth and avg read latency on all {len(table)} traces: "
          f"{verdict}")
    return 0


def main(argv):
    cmds = {"gen": cmd_gen, "ds3": cmd_ds3, "preset": cmd_preset, "table": cmd_table}
    if len(argv) < 2 or argv[1] not in cmds:
        print("usage: compare_dramsim3.py gen|ds3|preset|table ARGS (see the docstring)", file=sys.stderr)
        return 2
    return cmds[argv[1]](argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
