#!/usr/bin/python3
"""Compare two JSON reports (skipsim run --report, skipsim dram --json): every key of OLD must
be in NEW with the same JSON type and value (keys may be added, never renamed). Timing keys
that differ from run to run are compared by type only.

usage: compare_reports.py OLD.json NEW.json [OLD2.json NEW2.json ...]
exit 0 when every pair agrees, 1 otherwise (each difference printed)."""
import json
import sys

TIMING = {"sim_seconds", "sim_cycles_per_second", "peak_rss_mib", "requests_per_second"}


def kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    return type(v).__name__


def compare(old, new, path, out):
    if kind(old) != kind(new):
        out.append(f"{path}: type {kind(old)} became {kind(new)}")
        return
    if isinstance(old, dict):
        for k, v in old.items():
            if k not in new:
                out.append(f"{path}.{k}: missing")
            else:
                compare(v, new[k], f"{path}.{k}", out)
        return
    if isinstance(old, list):
        if len(old) != len(new):
            out.append(f"{path}: {len(old)} items became {len(new)}")
            return
        for i, (a, b) in enumerate(zip(old, new)):
            compare(a, b, f"{path}[{i}]", out)
        return
    if path.rsplit(".", 1)[-1] in TIMING:
        return
    if old != new:
        out.append(f"{path}: {old!r} became {new!r}")


def added(old, new, path, out):
    if isinstance(old, dict) and isinstance(new, dict):
        for k, v in new.items():
            if k not in old:
                out.append(f"{path}.{k}")
            else:
                added(old[k], v, f"{path}.{k}", out)


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        print(__doc__, file=sys.stderr)
        return 2
    ok = True
    for old_path, new_path in zip(argv[1::2], argv[2::2]):
        with open(old_path) as f:
            old = json.load(f)
        with open(new_path) as f:
            new = json.load(f)
        diffs, extra = [], []
        compare(old, new, "", diffs)
        added(old, new, "", extra)
        status = "same keys and values" if not diffs else f"{len(diffs)} differences"
        print(f"{old_path} vs {new_path}: {status}" +
              (f"; added: {', '.join(extra)}" if extra else ""))
        for d in diffs:
            print("  " + d)
        ok = ok and not diffs
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
