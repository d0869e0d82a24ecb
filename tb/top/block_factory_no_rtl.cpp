// The block factories of a build without Verilator (-DSKIPSIM_RTL=OFF): SystemC only.
#include <string>

#include "hw/common/errors.hpp"
#include "hw/skip_fifo/zvc_codec.hpp"
#include "tb/top/block_factory.hpp"

namespace skipsim {

namespace {
// `what`: the configuration key or option that asked for the RTL block.
[[noreturn]] void no_rtl(const std::string& what) {
  throw InputError(what + " needs a build with Verilator (-DSKIPSIM_RTL=ON)");
}
}  // namespace

bool rtl_blocks_built() { return false; }

std::unique_ptr<ForkBase> make_fork(const char* name, Impl impl, int) {
  if (impl == Impl::kSystemC) return std::make_unique<Fork>(name);
  no_rtl("config error: hardware.fork.impl: rtl");
}

std::unique_ptr<AddBase> make_add(const char* name, Impl impl, const AddConfig& cfg) {
  if (impl == Impl::kSystemC) return std::make_unique<Add>(name, cfg);
  no_rtl("config error: hardware.add.impl: rtl");
}

std::unique_ptr<SkipFifoBase> make_skip_fifo(const char* name, Impl impl, uint64_t depth, int lanes,
                                             SramBanks& sram) {
  if (impl == Impl::kSystemC) return std::make_unique<SkipFifo>(name, depth, lanes, sram);
  no_rtl("config error: hardware.skip_fifo.impl: rtl");
}

std::unique_ptr<SkipCompressor> make_zvc_compressor(const char* name, Impl impl, int lanes,
                                                    int word_bytes) {
  if (impl == Impl::kSystemC) return std::make_unique<ZvcCompressor>(name, lanes, word_bytes);
  no_rtl("config error: hardware.skip_codec.impl: rtl");
}

std::unique_ptr<SkipDecompressor> make_zvc_decompressor(const char* name, Impl impl, int lanes,
                                                        int word_bytes, uint64_t beats_per_frame) {
  if (impl == Impl::kSystemC)
    return std::make_unique<ZvcDecompressor>(name, lanes, word_bytes, beats_per_frame);
  no_rtl("config error: hardware.skip_codec.impl: rtl");
}

std::unique_ptr<ArrayDatapath> make_mac_datapath(Impl impl, int, int, Dataflow) {
  if (impl == Impl::kSystemC) return nullptr;
  no_rtl("config error: hardware.mac_array.impl: rtl");
}

std::unique_ptr<SkipFifoBase> make_skip_fifo_twin(const char*, uint64_t, int) {
  no_rtl("--cosim skip_fifo");
}

std::unique_ptr<ForkBase> make_fork_twin(const char*, int) { no_rtl("--cosim fork"); }

std::unique_ptr<AddBase> make_add_twin(const char*, const AddConfig&) { no_rtl("--cosim add"); }

std::unique_ptr<SkipCompressor> make_skip_compressor_twin(const char*, int, int) {
  no_rtl("--cosim compressor");
}

std::unique_ptr<SkipDecompressor> make_skip_decompressor_twin(const char*, int, int, uint64_t) {
  no_rtl("--cosim decompressor");
}

}  // namespace skipsim
