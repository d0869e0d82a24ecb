// The block factories of a build with the Verilated blocks (-DSKIPSIM_RTL=ON).
#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/rtl/rtl_mac_array.hpp"
#include "hw/rtl/rtl_skip_fifo.hpp"
#include "hw/rtl/rtl_stream_blocks.hpp"
#include "hw/rtl/rtl_zvc_codec.hpp"
#include "hw/skip_fifo/zvc_codec.hpp"
#include "tb/top/block_factory.hpp"

namespace skipsim {

namespace {
// The Verilated blocks have a fixed stream width: a beat of other lanes would be cut.
void require_lanes(const char* block, int lanes) {
  if (lanes != SKIPSIM_RTL_LANES)
    throw InputError(fmt::format(
        "config error: rtl {} is built for {} lanes, hardware.stream.lanes is {} (rebuild with "
        "-DSKIPSIM_RTL_LANES={})",
        block, SKIPSIM_RTL_LANES, lanes, lanes));
}
}  // namespace

bool rtl_blocks_built() { return true; }

std::unique_ptr<ForkBase> make_fork(const char* name, Impl impl, int lanes) {
  if (impl == Impl::kSystemC) return std::make_unique<Fork>(name);
  return make_fork_twin(name, lanes);
}

std::unique_ptr<AddBase> make_add(const char* name, Impl impl, const AddConfig& cfg) {
  if (impl == Impl::kSystemC) return std::make_unique<Add>(name, cfg);
  return make_add_twin(name, cfg);
}

std::unique_ptr<SkipFifoBase> make_skip_fifo(const char* name, Impl impl, uint64_t depth, int lanes,
                                             SramBanks& sram) {
  if (impl == Impl::kSystemC) return std::make_unique<SkipFifo>(name, depth, lanes, sram);
  auto f = make_skip_fifo_twin(name, depth, lanes);
  const std::string n = f->name();
  // The RTL keeps its own storage; the same SRAM is reserved so capacity checks agree.
  const SkipFifoStorage st = skip_fifo_storage(depth, lanes);
  const int data = sram.allocate(n + ".data", st.data);
  const int last = sram.allocate(n + ".last", st.last);
  f->own_sram_regions(sram, {data, last});
  return f;
}

std::unique_ptr<SkipCompressor> make_zvc_compressor(const char* name, Impl impl, int lanes,
                                                    int word_bytes) {
  if (impl == Impl::kSystemC) return std::make_unique<ZvcCompressor>(name, lanes, word_bytes);
  return make_skip_compressor_twin(name, lanes, word_bytes);
}

std::unique_ptr<SkipDecompressor> make_zvc_decompressor(const char* name, Impl impl, int lanes,
                                                        int word_bytes, uint64_t beats_per_frame) {
  if (impl == Impl::kSystemC)
    return std::make_unique<ZvcDecompressor>(name, lanes, word_bytes, beats_per_frame);
  return make_skip_decompressor_twin(name, lanes, word_bytes, beats_per_frame);
}

std::unique_ptr<ArrayDatapath> make_mac_datapath(Impl impl, int rows, int cols, Dataflow d) {
  if (impl == Impl::kSystemC) return nullptr;
  return make_rtl_datapath(make_builtin_mac_array(rows, cols, d));
}

std::unique_ptr<SkipFifoBase> make_skip_fifo_twin(const char* name, uint64_t depth, int lanes) {
  require_lanes("skip_fifo", lanes);
  return make_rtl_skip_fifo(name, depth);
}

std::unique_ptr<ForkBase> make_fork_twin(const char* name, int lanes) {
  require_lanes("fork", lanes);
  return std::make_unique<RtlFork>(name);
}

std::unique_ptr<AddBase> make_add_twin(const char* name, const AddConfig& cfg) {
  require_lanes("add", cfg.lanes);
  return std::make_unique<RtlAdd>(name, cfg);
}

std::unique_ptr<SkipCompressor> make_skip_compressor_twin(const char* name, int lanes,
                                                          int word_bytes) {
  return make_rtl_zvc_compressor(name, lanes, word_bytes);
}

std::unique_ptr<SkipDecompressor> make_skip_decompressor_twin(const char* name, int lanes,
                                                              int word_bytes,
                                                              uint64_t beats_per_frame) {
  return make_rtl_zvc_decompressor(name, lanes, word_bytes, beats_per_frame);
}

}  // namespace skipsim
