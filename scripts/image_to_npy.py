#!/usr/bin/env python3
"""Turn a photo into the int8 H x W x 3 .npy image that `skipsim network --input FILE.npy`
and `skipsim npu --input FILE.npy` take.

The image is resized (shorter side to the target, then centre-cropped, as torchvision's
Resize + CenterCrop), normalized with ImageNet's mean and standard deviation and quantized at
1/64 per step (the input scale of skipsim's ONNX import), clipped to [-128, 127].

usage: /usr/bin/python3 scripts/image_to_npy.py IMAGE OUT.npy [--size 224]
"""
import argparse
import sys

import numpy as np

MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("image", help="a JPEG or PNG file")
    ap.add_argument("out", help="the .npy file to write")
    ap.add_argument("--size", type=int, default=224, help="output H and W (default 224)")
    a = ap.parse_args()
    if not 32 <= a.size <= 4096:
        sys.exit(f"image_to_npy: --size {a.size}: expected 32 to 4096")
    try:
        from PIL import Image
        img = Image.open(a.image).convert("RGB")
    except ImportError:
        sys.exit("image_to_npy: needs Pillow (Debian: python3-pil; run with /usr/bin/python3)")
    except OSError as e:
        sys.exit(f"image_to_npy: {a.image}: cannot read the image ({e})")
    w, h = img.size
    s = a.size / min(w, h)
    img = img.resize((max(a.size, round(w * s)), max(a.size, round(h * s))), Image.BILINEAR)
    w, h = img.size
    left, top = (w - a.size) // 2, (h - a.size) // 2
    img = img.crop((left, top, left + a.size, top + a.size))
    x = (np.asarray(img, dtype=np.float64) / 255.0 - MEAN) / STD
    q = np.clip(np.round(x * 64), -128, 127).astype(np.int8)
    np.save(a.out, q)
    print(f"{a.out}: {a.size}x{a.size}x3 int8, {np.mean(q == 0):.1%} zeros, "
          f"{np.mean((q == -128) | (q == 127)):.1%} clipped")


if __name__ == "__main__":
    main()
