#include "tb/top/block_size.hpp"

#include <fmt/format.h>

#include "hw/common/conv_geometry.hpp"
#include "hw/common/errors.hpp"
#include "tb/ref/block_params.hpp"

namespace skipsim {

void check_tensor_bytes(const std::string& what, uint64_t bytes) {
  if (bytes > kMaxTensorBytes)
    throw InputError(fmt::format("{} = {} B, above the {} B (256 MiB) a tensor may take", what,
                                 bytes, kMaxTensorBytes));
}

void check_block_size(const Config& cfg) {
  const WorkloadConfig& w = cfg.workload;
  const BlockShape shape = block_shape(w);
  const uint64_t h = w.h, wd = w.w, c = w.c, oc = w.out_channels;
  const uint64_t oh = shape.out_h(), ow = shape.out_w();
  check_tensor_bytes(fmt::format("workload.input: {} x {} x {} (h x w x c, int8)", h, wd, c),
                     h * wd * c);
  check_tensor_bytes(fmt::format("the block output: {} x {} x {} (from workload.input.h, .w and "
                                 "workload.out_channels, int8)",
                                 oh, ow, oc),
                     oh * ow * oc);
}

}  // namespace skipsim
