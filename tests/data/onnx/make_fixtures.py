#!/usr/bin/python3
"""Writes the small ONNX models the importer's tests and fuzz seeds use (random float weights
from a fixed numpy seed, BatchNormalization left unfolded as a training-mode export has it).
Run with Debian's python3-onnx:  /usr/bin/python3 tests/data/onnx/make_fixtures.py [OUT_DIR]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, seed, named=True):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.named, self.count = [], [], named, 0

    def name(self, n):
        self.count += 1
        return n if self.named else ""

    def init(self, name, a):
        self.inits.append(numpy_helper.from_array(a.astype(np.float32), name))
        return name

    @staticmethod
    def scope(prefix):
        """torch.onnx.export's node scope: layer1.0.conv1 -> /layer1/layer1.0/conv1."""
        parts = prefix.split(".")
        if parts[0].startswith("layer") and len(parts) > 1:
            parts = [parts[0], parts[0] + "." + parts[1]] + parts[2:]
        return "/" + "/".join(parts)

    def node(self, op, inputs, name, **attrs):
        out = f"t{len(self.nodes)}"
        self.nodes.append(helper.make_node(op, inputs, [out], name=self.name(name), **attrs))
        return out

    def conv(self, x, cin, cout, k, s, prefix, bn=True, group=1, bias=False):
        w = self.rng.normal(0, np.sqrt(2.0 / (cin * k * k)), (cout, cin // group, k, k))
        ins = [x, self.init(prefix + ".weight", w)]
        if bias:
            ins.append(self.init(prefix + ".bias", self.rng.normal(0, 0.1, cout)))
        y = self.node("Conv", ins, self.scope(prefix) + "/Conv", kernel_shape=[k, k],
                      strides=[s, s], pads=[k // 2] * 4, group=group)
        if not bn:
            return y
        p = prefix.replace("conv", "bn") if "conv" in prefix else prefix[:-1] + "1"
        ins = [y] + [self.init(f"{p}.{n}", a) for n, a in (
            ("weight", self.rng.uniform(0.5, 1.5, cout)), ("bias", self.rng.normal(0, 0.1, cout)),
            ("running_mean", self.rng.normal(0, 0.1, cout)),
            ("running_var", self.rng.uniform(0.5, 1.5, cout)))]
        return self.node("BatchNormalization", ins, self.scope(p) + "/BatchNormalization", epsilon=1e-5)

    def relu(self, x, name, op="Relu"):
        return self.node(op, [x], self.scope(name) + "/" + op)

    def basic(self, x, cin, cout, s, p):
        y = self.relu(self.conv(x, cin, cout, 3, s, p + ".conv1"), p + ".relu")
        y = self.conv(y, cout, cout, 3, 1, p + ".conv2")
        skip = x if s == 1 and cin == cout else self.conv(x, cin, cout, 1, s, p + ".downsample.0")
        return self.relu(self.node("Add", [y, skip], self.scope(p) + "/Add"), p + ".relu_1")

    def bottleneck(self, x, cin, width, cout, s, p):
        y = self.relu(self.conv(x, cin, width, 1, 1, p + ".conv1"), p + ".relu")
        y = self.relu(self.conv(y, width, width, 3, s, p + ".conv2"), p + ".relu_1")
        y = self.conv(y, width, cout, 1, 1, p + ".conv3")
        skip = x if s == 1 and cin == cout else self.conv(x, cin, cout, 1, s, p + ".downsample.0")
        return self.relu(self.node("Add", [y, skip], self.scope(p) + "/Add"), p + ".relu_2")

    def gemm(self, x, cin, classes):
        w = self.init("fc.weight", self.rng.normal(0, 1 / np.sqrt(cin), (classes, cin)))
        b = self.init("fc.bias", self.rng.normal(0, 0.1, classes))
        return self.node("Gemm", [x, w, b], "/fc/Gemm", transB=1)

    def model(self, out, classes, c=3, hw=16):
        g = helper.make_graph(
            self.nodes, "net", [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                              [1, c, hw, hw])],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, classes])], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def tiny(width, seed=1, stem_op="Relu", group=1, drop_init=None, basic_out=None):
    """stem (3x3 conv, BN, ReLU, maxpool) + layer1.0 (basic) + layer2.0 (bottleneck with a
    stride-2 projection) + head (GlobalAveragePool, Flatten, Gemm, 10 classes)."""
    b = Builder(seed)
    x = b.relu(b.conv("input", 3, width, 3, 1, "conv1", group=1), "relu", stem_op)
    x = b.node("MaxPool", [x], "/maxpool/MaxPool", kernel_shape=[3, 3], strides=[2, 2],
               pads=[1, 1, 1, 1])
    if group != 1:
        x = b.conv(x, width, width, 3, 1, "layer1.0.conv1", group=group)
    else:
        x = b.basic(x, width, basic_out or width, 1, "layer1.0")
    x = b.bottleneck(x, basic_out or width, width // 2, 2 * width, 2, "layer2.0")
    x = b.node("GlobalAveragePool", [x], "/avgpool/GlobalAveragePool")
    x = b.node("Flatten", [x], "/Flatten", axis=1)
    m = b.model(b.gemm(x, 2 * width, 10), 10)
    if drop_init:
        m.graph.initializer.remove(next(t for t in m.graph.initializer if t.name == drop_init))
    return m


def unnamed(width, seed=2):
    """No node names: stem 5x5 stride 2 without pool, a basic block downsampling with a
    projection, AveragePool over the 4x4 map, Reshape, MatMul + Add, Identity in between."""
    b = Builder(seed, named=False)
    x = b.relu(b.conv("input", 3, width, 5, 2, "conv1", bn=False, bias=True), "relu")
    x = b.node("Identity", [x], "id")
    x = b.basic(x, width, 2 * width, 2, "layer1.0")
    x = b.node("AveragePool", [x], "pool", kernel_shape=[4, 4], strides=[4, 4])
    b.inits.append(numpy_helper.from_array(np.array([1, -1], np.int64), "shape"))
    x = b.node("Reshape", [x, "shape"], "reshape")
    w = b.init("fc.w", b.rng.normal(0, 0.3, (2 * width, 7)))
    x = b.node("MatMul", [x, w], "mm")
    x = b.node("Add", [x, b.init("fc.b", b.rng.normal(0, 0.1, 7))], "bias")
    return b.model(x, 7)


def chain(convs, fcs, in_f, classes, hw, seed):
    """A chain network as torch.onnx.export writes torchvision's AlexNet and VGG (eval mode:
    no Dropout): features (Conv with bias, Relu, MaxPool), avgpool (AdaptiveAvgPool2d to the
    map's own size: an AveragePool 1x1), Flatten, classifier (Gemm, Relu, ..., Gemm).
    convs: (index, out_c, k, stride, pad, pool_k, pool_stride); fcs: (Gemm index, width);
    in_f: the flattened map's size."""
    b = Builder(seed)
    x, c = "input", 3
    for i, cout, k, s, p, pk, ps in convs:
        w = b.init(f"features.{i}.weight", b.rng.normal(0, np.sqrt(2.0 / (c * k * k)),
                                                          (cout, c, k, k)))
        bias = b.init(f"features.{i}.bias", b.rng.normal(0, 0.1, cout))
        x = b.node("Conv", [x, w, bias], f"/features/features.{i}/Conv", kernel_shape=[k, k],
                   strides=[s, s], pads=[p] * 4)
        x = b.node("Relu", [x], f"/features/features.{i + 1}/Relu")
        if pk:
            x = b.node("MaxPool", [x], f"/features/features.{i + 2}/MaxPool",
                       kernel_shape=[pk, pk], strides=[ps, ps], pads=[0] * 4)
        c = cout
    x = b.node("AveragePool", [x], "/avgpool/AveragePool", kernel_shape=[1, 1], strides=[1, 1])
    x = b.node("Flatten", [x], "/Flatten", axis=1)
    cin = in_f
    for n, (i, width) in enumerate(fcs):
        w = b.init(f"classifier.{i}.weight", b.rng.normal(0, np.sqrt(2.0 / cin), (width, cin)))
        bias = b.init(f"classifier.{i}.bias", b.rng.normal(0, 0.1, width))
        x = b.node("Gemm", [x, w, bias], f"/classifier/classifier.{i}/Gemm", transB=1)
        if n + 1 < len(fcs):
            x = b.node("Relu", [x], f"/classifier/classifier.{i + 1}/Relu")
        cin = width
    return b.model(x, classes, hw=hw)


def alexnet_mini():
    """AlexNet's layers (11x11 s4 p2, 5x5 p2, three 3x3; max pools 3 s2) at small widths on a
    95 x 95 image: features end at 2 x 2 x 12, so the flatten order matters."""
    return chain([(0, 8, 11, 4, 2, 3, 2), (3, 12, 5, 1, 2, 3, 2), (6, 16, 3, 1, 1, 0, 0),
                  (8, 12, 3, 1, 1, 0, 0), (10, 12, 3, 1, 1, 3, 2)],
                 [(1, 32), (4, 32), (6, 10)], 2 * 2 * 12, 10, 95, seed=11)


def vgg_mini():
    """VGG's layers (3x3 p1 convs, max pools 2 s2) at small widths on a 32 x 32 image."""
    return chain([(0, 4, 3, 1, 1, 2, 2), (3, 8, 3, 1, 1, 2, 2), (6, 8, 3, 1, 1, 0, 0),
                  (8, 8, 3, 1, 1, 2, 2)], [(0, 24), (3, 24), (6, 10)], 4 * 4 * 8, 10, 32,
                 seed=12)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    models = {
        "tiny.onnx": tiny(8),
        "tiny_unnamed.onnx": unnamed(4),
        "nano_unnamed.onnx": unnamed(1),  # under libFuzzer's 4 KiB, a fuzz seed
        "micro.onnx": tiny(2, seed=3),
        "bad_sigmoid.onnx": tiny(2, stem_op="Sigmoid"),
        "bad_grouped.onnx": tiny(2, group=2),
        "bad_missing_init.onnx": tiny(2, drop_init="layer1.0.conv2.weight"),
        # A basic block with a stride-1 projection (the IR projects only when downsampling).
        "bad_projection_stride.onnx": tiny(2, basic_out=4),
        "alexnet_mini.onnx": alexnet_mini(),
        "vgg_mini.onnx": vgg_mini(),
    }
    for name, m in models.items():
        onnx.save(m, os.path.join(out, name))


if __name__ == "__main__":
    main()
