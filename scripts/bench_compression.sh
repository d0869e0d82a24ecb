#!/usr/bin/env bash
# Skip-path compression (README "Compressing the skip path"), per network and codec:
#  1. every residual block with a FIFO that holds its whole skip tensor, without compression,
#     with zvc and with rlc: per block the skip tensor's zeros, each codec's ratio, FIFO peak
#     and cycles;
#  2. the same with policy spill and DEPTH entries on chip: spilled + filled DRAM bytes;
#  3. skipsim npu (layer by layer) with npu.skip_compression none / zvc / rlc, with the
#     default SRAM and with 256 KiB of activation SRAM: skip bytes stored, skip spill + fill.
# Then one summary table per network and codec (the README's and the closing note's).
# usage: scripts/bench_compression.sh [SKIPSIM] [MODEL] [INPUT] [DEPTH]
#        (build/skipsim resnet18 224x224 256; INPUT may be an int8 HxWx3 .npy image)
set -euo pipefail
bin=${1:-build/skipsim} model=${2:-resnet18} input=${3:-224x224} depth=${4:-256}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
codecs="none zvc rlc"
for codec in $codecs; do
  c="--set hardware.skip_fifo.compression=$codec"
  "$bin" network -q --model "$model" --input "$input" $c --report "$tmp/$codec.json"
  "$bin" network -q --model "$model" --input "$input" $c --configured-depth \
    --set hardware.skip_fifo.policy=spill --set hardware.skip_fifo.depth="$depth" \
    --report "$tmp/$codec.spill.json"
  n="--set npu.skip_compression=$codec"
  "$bin" npu --model "$model" --input "$input" $n --report "$tmp/$codec.npu.json" >/dev/null
  "$bin" npu --model "$model" --input "$input" $n --set npu.activation_bytes=262144 \
    --report "$tmp/$codec.npu_short.json" >/dev/null
done
/usr/bin/python3 - "$tmp" "$depth" $codecs <<'PY'
import json, sys
tmp, depth, codecs = sys.argv[1], sys.argv[2], sys.argv[3:]
ld = lambda name: json.load(open(f"{tmp}/{name}.json"))
net = {c: ld(c) for c in codecs}
spill = {c: ld(f"{c}.spill") for c in codecs}
npu = {c: ld(f"{c}.npu") for c in codecs}
short = {c: ld(f"{c}.npu_short") for c in codecs}
a = net["none"]
print(f"{a['model']} {a['input'][0]}x{a['input'][1]}: streaming skip FIFO per block "
      f"(a FIFO that holds the whole skip tensor)")
print(f"{'block':<11} {'zeros':>6} {'raw B':>8}" + "".join(
    f" {c + ' ratio':>10} {c + ' peak':>10} {c + ' cycles':>12}" for c in codecs))
for i, x in enumerate(a["blocks"]):
    if "fifos" not in x:
        continue
    row = f"{x['name']:<11} {x.get('skip_zero_fraction', 0):6.0%} " \
          f"{net['zvc']['blocks'][i]['fifos']['skip']['raw_bytes']:8}"
    for c in codecs:
        f = net[c]["blocks"][i]["fifos"]["skip"]
        ratio = f"{f['compression_ratio']:.2f}x" if "compression_ratio" in f else "-"
        row += f" {ratio:>10} {f['max_occupancy_bytes'] / 1024:8.1f} K " \
               f"{net[c]['blocks'][i]['cycles']:12,}"
    print(row)

def dram(r, k):
    return r.get("dram", {}).get(k, 0)

print(f"\n{a['model']} {a['input'][0]}x{a['input'][1]} per codec (streaming: FIFO peaks summed "
      f"over blocks; spill: {depth} entries on chip; npu: layer by layer, skip tensors only)")
hdr = ["codec", "bit-exact", "skip raw", "skip stored", "ratio", "FIFO peaks", "largest",
       "spill+fill", "cycles", "npu stored", "npu SRAM peak", "npu skip DRAM 256K", "npu cycles"]
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
for c in codecs:
    r, s, n, m = net[c], spill[c], npu[c], short[c]
    raw = sum(b["fifos"]["skip"]["raw_bytes"] for b in net["zvc"]["blocks"] if "fifos" in b)
    stored = r.get("skip_compressed_bytes", raw)
    exact = all(x["bit_exact"] for x in (r, s)) and all(
        x["golden"]["match"] and x["golden"]["transfers_match"] for x in (n, m))
    npu_stored = n.get("skip_compressed_bytes", n.get("skip_raw_bytes", 0))
    print(f"| {c} | {'yes' if exact else 'NO'} | {raw:,} | {stored:,} | {raw / stored:.2f}x | "
          f"{r['skip_fifo_bytes_sum']:,} | {r['skip_fifo_bytes_max']:,} | "
          f"{dram(s, 'spill') + dram(s, 'fill'):,} | {r['cycles']:,} | {npu_stored:,} | "
          f"{n.get('sram_peak_live_bytes', 0):,} | "
          f"{m.get('skip_dram_spill_bytes', 0) + m.get('skip_dram_fill_bytes', 0):,} | "
          f"{n['cycles']:,} |")
PY
