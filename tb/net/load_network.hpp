#pragma once
// The network a command runs: a built-in model or an ONNX file, on a random image of
// `input` (HxW) or on an image read from an .npy file (--input FILE.npy).
#include <cstdint>
#include <string>

#include "tb/net/network.hpp"

namespace skipsim {

// An image: int8, H x W x 3 (C order), each of H and W in [32, 4096]. Throws InputError
// naming the file and what it holds.
Tensor8 read_image_npy(const std::string& path);

// `model` (a built-in name) or `onnx` (a file), exactly one non-empty. With `image` (an
// .npy path) the network takes that image and its size; else a random image of h x w
// drawn from `seed`.
Network load_network(const std::string& model, const std::string& onnx, int h, int w, uint64_t seed,
                     const std::string& image);

}  // namespace skipsim
