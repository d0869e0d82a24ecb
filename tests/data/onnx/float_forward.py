#!/usr/bin/python3
"""Float forward pass of an ONNX model with numpy, independent of the C++ importer: evaluates
the graph node by node (the ops the importer supports, BatchNormalization unfolded).
Usage: float_forward.py MODEL.onnx INPUT.npy OUT.txt
INPUT.npy: int8 H x W x C, the image as real values int8 / 64 (the import rule); OUT.txt: the
logits, one per line."""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def conv(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    y = np.zeros((n, o, oh, ow))
    for ky in range(k):
        for kx in range(k):
            patch = xp[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, ky, kx])
    return y + (0 if b is None else b.reshape(1, -1, 1, 1))


def maxpool(x, k, stride, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    y = np.full((n, c, oh, ow), -np.inf)
    for ky in range(k):
        for kx in range(k):
            y = np.maximum(y, xp[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride])
    return y


def run(model, x):
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for nd in model.graph.node:
        i = [env[n] if n else None for n in nd.input]
        op = nd.op_type
        if op == "Conv":
            k = i[1].shape[2]
            y = conv(i[0], i[1], i[2] if len(i) > 2 else None, attr(nd, "strides", [1])[0],
                     attr(nd, "pads", [0])[0])
        elif op == "BatchNormalization":
            s, b, m, v = (a.reshape(1, -1, 1, 1) for a in i[1:5])
            y = (i[0] - m) / np.sqrt(v + attr(nd, "epsilon", 1e-5)) * s + b
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Identity":
            y = i[0]
        elif op == "MaxPool":
            y = maxpool(i[0], attr(nd, "kernel_shape", None)[0], attr(nd, "strides", [1])[0],
                        attr(nd, "pads", [0])[0])
        elif op == "AveragePool" and attr(nd, "kernel_shape", None) == [1, 1]:
            y = i[0]
        elif op in ("GlobalAveragePool", "AveragePool"):
            y = i[0].mean(axis=(2, 3), keepdims=True)
        elif op in ("Flatten", "Reshape"):
            y = i[0].reshape(i[0].shape[0], -1)
        elif op == "Gemm":
            w = i[1] if attr(nd, "transB", 0) else i[1].T
            y = i[0] @ w.T + (i[2] if len(i) > 2 else 0)
        elif op == "MatMul":
            y = i[0] @ i[1]
        else:
            raise SystemExit(f"float_forward: op {op} not supported")
        env[nd.output[0]] = y
    return env[model.graph.output[0].name]


def main():
    model = onnx.load(sys.argv[1])
    q = np.load(sys.argv[2])
    x = (q.astype(np.float64) / 64.0).transpose(2, 0, 1)[None]
    np.savetxt(sys.argv[3], run(model, x).reshape(-1), fmt="%.17g")


if __name__ == "__main__":
    main()
