#pragma once
// SkipFifo: the skip-path FIFO that holds X (or its projection) until the add consumes it.
// `depth` beats of `lanes` bytes live in an SRAM region (plus one `last` bit per entry).
// Registered in and out: a beat pushed at edge t is offered from edge t on and can leave at
// t+1; ready = (occupancy < depth) after the edge. The beat on offer counts as occupancy.
// With 1RW SRAM banks (hardware.sram.dual_port: false) the head cannot be read from a bank
// that the push writes at the same edge: the output register stays empty that cycle.
#include <cstdint>
#include <vector>

#include <systemc>

#include "hw/common/edge_sleep.hpp"
#include "hw/common/hw_block.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

// The SRAM regions a skip FIFO of `depth` beats of `lanes` bytes allocates, in bytes before
// SramBanks rounds each up to whole bank rows: the data, one `last` bit per entry and (policy
// spill) a staging buffer of `staging_beats` entries. Every implementation allocates through
// it, so sram_bytes() is what the FIFO takes.
struct SkipFifoStorage {
  uint64_t data = 0, last = 0, staging = 0;
  uint64_t sram_bytes(int width_bytes) const {
    return SramBanks::rounded(data, width_bytes) + SramBanks::rounded(last, width_bytes) +
           SramBanks::rounded(staging, width_bytes);
  }
};
inline SkipFifoStorage skip_fifo_storage(uint64_t depth, int lanes, uint64_t staging_beats = 0) {
  const auto l = static_cast<uint64_t>(lanes);
  return {depth * l, (depth + 7) / 8, staging_beats * l};
}

struct SkipFifoStats {
  uint64_t depth = 0;
  uint64_t max_occupancy = 0;
  uint64_t pushes = 0, pops = 0;
  uint64_t push_blocked_cycles = 0;  // input valid, FIFO full
  uint64_t pop_starved_cycles = 0;   // output ready, FIFO empty
  uint64_t occupancy_sum = 0;        // sum over cycles, for the mean
  uint64_t cycles = 0;
  // Cycles spent at each occupancy: bucket i covers [i*bucket_width, (i+1)*bucket_width).
  uint64_t bucket_width = 1;
  std::vector<uint64_t> histogram;
  // Peak occupancy while each frame was leaving (a frame ends with its `last` beat).
  std::vector<uint64_t> max_occupancy_per_frame;
  uint64_t frame_max = 0;
};

// Occupancy over time, change-compressed: (cycle, occupancy from that cycle on).
struct OccupancySample {
  uint64_t cycle, occupancy;
};

// What any skip FIFO implementation (the SystemC model here, or Verilated RTL) reports:
// it observes its own handshakes once per edge and keeps the statistics, the wait state
// and the optional occupancy time series, so both report identically.
class SkipFifoBase : public sc_core::sc_module, public HwBlock {
 public:
  sc_core::sc_in<bool> clk;
  StreamIn in;
  StreamOut out;
  sc_core::sc_signal<uint64_t> occupancy_trace{"occupancy"};  // written only when traced

  SkipFifoBase(sc_core::sc_module_name name, uint64_t depth);

  std::string block_name() const override { return basename(); }
  const StallStats& stall_stats() const override { return m_stall; }
  WaitState wait_state() const override;
  std::vector<std::string> input_ports() const override { return {"in"}; }
  std::vector<std::string> output_ports() const override { return {"out"}; }
  bool quiescent() const override { return m_last_kind != WaitState::Kind::kBusy; }

  const SkipFifoStats& stats() const { return m_stats; }
  uint64_t occupancy() const { return m_count; }
  uint64_t depth() const { return m_depth; }
  void enable_occupancy_trace() { m_trace = true; }
  // Records every change of occupancy (memory grows with the number of changes).
  void enable_time_series() { m_series_on = true; }
  const std::vector<OccupancySample>& time_series() const { return m_series; }

  // The SRAM regions that hold this FIFO (its own storage, or what is reserved for a block
  // that keeps its storage elsewhere, as the RTL does): sram_bytes() is their sum.
  void own_sram_regions(const SramBanks& sram, std::vector<int> regions);
  uint64_t sram_bytes() const;
  // The FIFO's statistics (occupancy, handshakes, histogram, SRAM bytes) into `node`;
  // report() gives the stall stats as for every block.
  virtual void report_fifo(StatsNode& node) const;

 protected:
  // Once per edge, with the pre-edge handshake values and the occupancy after the edge.
  void observe(bool in_valid, bool in_ready, bool out_valid, bool out_ready, bool out_last,
               uint64_t count_after);
  // `edges` more edges like the last observed one, at which no beat moved (a model that
  // slept through them, hw/common/edge_sleep.hpp).
  void observe_repeat(uint64_t edges);

  uint64_t m_depth;
  uint64_t m_count = 0;
  // Set before observe(): the beats held are not where the output can take them (in DRAM),
  // so an idle cycle counts as waiting for DRAM.
  bool m_dram_wait = false;

 private:
  const SramBanks* m_sram_owner = nullptr;
  std::vector<int> m_sram_regions;
  bool m_trace = false;
  bool m_series_on = false;
  std::vector<OccupancySample> m_series;
  SkipFifoStats m_stats;
  StallStats m_stall;
  WaitState::Kind m_last_kind = WaitState::Kind::kIdle;
  StallStats m_edge_counts;                                      // the last edge's stall counts
  bool m_last_push_blocked = false, m_last_pop_starved = false;  // ... and FIFO counts
};

// The SystemC skip FIFO.
class SkipFifo : public SkipFifoBase {
 public:
  SC_HAS_PROCESS(SkipFifo);
  SkipFifo(sc_core::sc_module_name name, uint64_t depth, int lanes, SramBanks& sram);
  // Cycles the head could not be read into the output register because a 1RW bank was
  // writing (always 0 with dual-port banks).
  uint64_t bank_conflict_cycles() const { return m_bank_conflicts; }
  void report_fifo(StatsNode& node) const override;
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  void settle() override { replay(m_sleep.settle()); }

 private:
  void on_clock();
  void replay(uint64_t edges);
  void read_entry(uint64_t slot, Beat& b) const;

  int m_lanes;
  SramBanks& m_sram;
  int m_data_region, m_last_region;
  uint64_t m_head = 0;
  uint64_t m_cycle = 0;
  uint64_t m_bank_conflicts = 0;
  EdgeSleep m_sleep;
};

}  // namespace skipsim
