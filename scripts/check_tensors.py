#!/usr/bin/python3
"""Recompute a residual block from a --dump-tensors directory with numpy, independently of
skipsim, and compare with the output.npy skipsim wrote there.

usage: scripts/check_tensors.py DIR
Exit 0 when equal, 1 when not, 2 on bad input. Uses Debian's python3-numpy.
"""
import os
import sys

import numpy as np


def conv(x, w, bias, mult, shift, stride, relu):
    """int8 HWC conv with zero padding k//2, int32 accumulation, per-channel requant."""
    h, wd, c = x.shape
    o, i, kh, kw = w.shape
    assert i == c and kh == kw
    p = kh // 2
    xp = np.zeros((h + 2 * p, wd + 2 * p, c), dtype=np.int64)
    xp[p:p + h, p:p + wd] = x
    oh = (h + 2 * p - kh) // stride + 1
    ow = (wd + 2 * p - kw) // stride + 1
    acc = np.zeros((oh, ow, o), dtype=np.int64)
    wt = w.astype(np.int64)
    for ky in range(kh):
        for kx in range(kw):
            patch = xp[ky:ky + stride * (oh - 1) + 1:stride, kx:kx + stride * (ow - 1) + 1:stride]
            acc += patch @ wt[:, :, ky, kx].T
    acc = acc + bias.astype(np.int64)
    acc = acc.astype(np.int32).astype(np.int64)  # int32 accumulator
    y = (acc * mult.astype(np.int64) + (np.int64(1) << (shift.astype(np.int64) - 1))) >> shift
    return np.clip(y, 0 if relu else -128, 127).astype(np.int8)


def load(d, name):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    return np.load(path)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = sys.argv[1]
    try:
        x = load(d, "input.npy")
        params = {}
        for n in ("conv1", "conv2", "skip"):
            if n == "skip" and not os.path.exists(os.path.join(d, "skip.weight.npy")):
                continue
            params[n] = [load(d, f"{n}.{k}.npy") for k in ("weight", "bias", "mult", "shift")]
        mm, ms, sh = (int(v) for v in load(d, "add.npy"))
        want = load(d, "output.npy")
    except (FileNotFoundError, ValueError) as e:
        print(f"check_tensors: {e}", file=sys.stderr)
        return 2
    down = "skip" in params
    y1 = conv(x, *params["conv1"], stride=2 if down else 1, relu=True)
    y2 = conv(y1, *params["conv2"], stride=1, relu=False)
    s = conv(x, *params["skip"], stride=2, relu=False) if down else x
    y = (y2.astype(np.int64) * mm + s.astype(np.int64) * ms + (1 << (sh - 1))) >> sh
    y = np.clip(y, 0, 127).astype(np.int8)
    if y.shape != want.shape:
        print(f"check_tensors: shape {want.shape} in output.npy, numpy gives {y.shape}")
        return 1
    bad = int((y != want).sum())
    print(f"check_tensors: {d}: {'equal' if bad == 0 else f'{bad} of {y.size} values differ'}"
          f" ({'downsample' if down else 'basic'} block, output {y.shape})")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
