#pragma once
// Monitor: counts core cycles, counts every stream's handshake state per cycle (from the
// wires' changes: a state holds from the edge that first sees it), ends the run
// when the write DMA has written the last frame, and stops a deadlocked run: at once when
// every block is quiescent (waits on a stream, nothing in flight) and no stream wire has
// changed for 3 cycles (the state is a fixed point), else as a fallback when nothing has
// moved for `deadlock_window` cycles (no stream transfer, no DMA/DRAM transaction).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/core_clock.hpp"
#include "hw/common/hw_block.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct ChannelStats {
  uint64_t transfers = 0;
  uint64_t valid_not_ready = 0;  // producer waits on consumer
  uint64_t ready_not_valid = 0;  // consumer waits on producer
};

class Monitor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Monitor);
  enum class End { kRunning, kFinished, kDeadlock, kCycleLimit };

  sc_core::sc_in<bool> clk;

  Monitor(sc_core::sc_module_name name, std::vector<Stream*> streams, uint64_t deadlock_window,
          uint64_t max_cycles);

  void set_finished_probe(std::function<bool()> f) { m_finished = std::move(f); }
  // Once finished, the run goes on (without deadlock checks) until this says so: a
  // co-simulated twin delivering the beats it holds later than the pipeline did.
  void set_drained_probe(std::function<bool()> f) { m_drained = std::move(f); }
  void set_blocks(std::vector<HwBlock*> blocks) { m_blocks = std::move(blocks); }
  // The deadlock was found as a fixed point rather than by the window.
  bool deadlock_was_quiescent() const { return m_quiet >= kQuietCycles; }
  // Called every 2^16 cycles (progress display).
  void set_progress(std::function<void(uint64_t)> f) { m_progress = std::move(f); }
  uint64_t* activity_counter() { return &m_activity; }

  uint64_t cycle() const { return m_cycle; }
  End end() const { return m_end; }
  uint64_t last_activity_cycle() const { return m_last_activity_cycle; }
  uint64_t deadlock_window() const { return m_window; }
  const std::vector<Stream*>& streams() const { return m_streams; }
  // Counted up to the last edge.
  const std::vector<ChannelStats>& channel_stats() const;
  // Keeps the peak of transfers(in) - transfers(out) over the run: the beats held between
  // two streams (a compressed skip path's beats, whatever their packed size).
  void track_in_flight(size_t in, size_t out) { m_flight = {in, out}; }
  uint64_t max_in_flight() const {
    count_states(m_cycle);
    return m_max_flight;
  }
  // Lets a CoreClock on clk stop while the `sleepers` blocks sleep (all of the blocks;
  // CoreClock::enable_gating) whenever this monitor would only count edges: no beat
  // moving, a block still working (a tile), no quiet count under way.
  void allow_clock_gating(int sleepers) { m_gate_sleepers = sleepers; }

 private:
  void on_clock();
  void on_wires() { m_wires_dirty = true; }
  // Adds the held wire states for edges (m_counted, upto] to the channel stats.
  void count_states(uint64_t upto) const;
  void sample_wires();
  // Whether the clock may stop after this edge; `bound`: the cycle at which it must run
  // again at the latest (deadlock window, cycle limit, progress report), 0 for none.
  bool may_pause(uint64_t& bound) const;

  static constexpr int kQuietCycles = 3;
  std::vector<Stream*> m_streams;
  std::vector<HwBlock*> m_blocks;
  std::vector<uint8_t> m_wires;  // valid | ready << 1 as last sampled
  bool m_wires_dirty = true;     // a wire changed since the last sample
  uint64_t m_transferring = 0;   // streams with valid and ready high in the sample
  size_t m_busy_block = 0;       // the block found not quiescent last (checked first)
  CoreClock* m_clock = nullptr;  // the cycle number comes from it (it may skip edges)
  int m_gate_sleepers = -1;      // >= 0: gating asked for
  bool m_setup = false;
  int m_quiet = 0;
  mutable std::vector<ChannelStats> m_stats;
  mutable uint64_t m_counted = 0;  // edges counted into m_stats
  std::optional<std::pair<size_t, size_t>> m_flight;
  mutable int64_t m_in_flight = 0;
  mutable uint64_t m_max_flight = 0;
  uint64_t m_window, m_max_cycles;
  uint64_t m_cycle = 0, m_activity = 0, m_seen_activity = 0, m_last_activity_cycle = 0;
  End m_end = End::kRunning;
  std::function<bool()> m_finished, m_drained;
  std::function<void(uint64_t)> m_progress;
};

// Runs the simulation until the monitor stops it. With skip_idle_edges the blocks may sleep
// through edges at which they repeat themselves (HwBlock::allow_sleep), and are settled
// afterwards so that their statistics count every edge.
// gate_clock: stop the CoreClock while every block sleeps (needs every block able to sleep
// and no other process on the clock, such as a waveform writer or an RTL twin).
void simulate(const std::vector<HwBlock*>& blocks, Monitor& monitor, bool skip_idle_edges,
              bool gate_clock);

}  // namespace skipsim
