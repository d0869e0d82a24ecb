#include "tb/net/load_network.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hw/common/errors.hpp"
#include "tb/net/onnx_import.hpp"
#include "tb/ref/npy.hpp"

namespace skipsim {

Tensor8 read_image_npy(const std::string& path) {
  const NpyArray a = read_npy(path);
  if (a.descr != "|i1" || a.shape.size() != 3 || a.shape[2] != 3)
    throw InputError(fmt::format(
        "--input {}: expected an int8 ('|i1') image of shape H x W x 3, got '{}' of shape ({}); "
        "convert with numpy, e.g. (img.astype(np.int16) - 128).astype(np.int8) for uint8 RGB",
        path, a.descr, fmt::join(a.shape, ", ")));
  const size_t h = a.shape[0], w = a.shape[1];
  if (h < 32 || w < 32 || h > 4096 || w > 4096)
    throw InputError(
        fmt::format("--input {}: the image is {}x{}; H and W must be in [32, 4096]", path, h, w));
  Tensor8 t(static_cast<int>(h), static_cast<int>(w), 3);
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<int8_t>(a.bytes[i]);
  return t;
}

Network load_network(const std::string& model, const std::string& onnx, int h, int w, uint64_t seed,
                     const std::string& image) {
  if (image.empty())
    return onnx.empty() ? builtin_network(model, h, w, seed) : import_onnx(onnx, h, w, seed);
  const Tensor8 img = read_image_npy(image);
  if (!onnx.empty()) return import_onnx(onnx, img.h, img.w, seed, nullptr, &img);
  Network net = builtin_network(model, img.h, img.w, seed);
  net.input = img;
  return net;
}

}  // namespace skipsim
