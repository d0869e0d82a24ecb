#pragma once
// The blocks that exist both as SystemC models and as Verilated RTL (hardware.<block>.impl),
// made behind one interface each. block_factory_rtl.cpp implements them in a build with
// Verilator (-DSKIPSIM_RTL=ON); block_factory_no_rtl.cpp in one without, where asking for
// rtl throws InputError. The builder never needs to know which build it is in.
#include <cstdint>
#include <memory>
#include <string>

#include "hw/mac_array/dataflow.hpp"
#include "hw/mac_array/systolic_array.hpp"
#include "hw/skip_fifo/skip_codec.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/add.hpp"
#include "hw/stream/fork.hpp"
#include "tb/config/config.hpp"

namespace skipsim {

// Whether this build has the Verilated blocks.
bool rtl_blocks_built();

std::unique_ptr<ForkBase> make_fork(const char* name, Impl impl, int lanes);
std::unique_ptr<AddBase> make_add(const char* name, Impl impl, const AddConfig& cfg);
// The skip FIFO of policy block: SystemC, in SRAM regions of its own; or RTL, which keeps
// its storage itself while the same SRAM is reserved in its name, so capacity checks and
// the reported SRAM bytes agree.
std::unique_ptr<SkipFifoBase> make_skip_fifo(const char* name, Impl impl, uint64_t depth, int lanes,
                                             SramBanks& sram);
// The skip path's ZVC codec (hardware.skip_codec.impl).
std::unique_ptr<SkipCompressor> make_zvc_compressor(const char* name, Impl impl, int lanes,
                                                    int word_bytes);
std::unique_ptr<SkipDecompressor> make_zvc_decompressor(const char* name, Impl impl, int lanes,
                                                        int word_bytes, uint64_t beats_per_frame);
// The datapath an engine's MAC array computes on: nullptr for the SystemC array.
std::unique_ptr<ArrayDatapath> make_mac_datapath(Impl impl, int rows, int cols, Dataflow d);

// Lock-step twins (README "RTL co-simulation"): the RTL blocks alone, no SRAM reserved.
std::unique_ptr<SkipFifoBase> make_skip_fifo_twin(const char* name, uint64_t depth, int lanes);
std::unique_ptr<ForkBase> make_fork_twin(const char* name, int lanes);
std::unique_ptr<AddBase> make_add_twin(const char* name, const AddConfig& cfg);
std::unique_ptr<SkipCompressor> make_skip_compressor_twin(const char* name, int lanes,
                                                          int word_bytes);
std::unique_ptr<SkipDecompressor> make_skip_decompressor_twin(const char* name, int lanes,
                                                              int word_bytes,
                                                              uint64_t beats_per_frame);

}  // namespace skipsim
