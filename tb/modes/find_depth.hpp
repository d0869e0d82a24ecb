#pragma once
// find-depth: the skip FIFO depths that matter, each from simulation, next to a closed form.
//   unbounded_max_occupancy  peak occupancy when the FIFO can hold the whole skip tensor
//   min_deadlock_free_depth  smallest depth that finishes
//   min_full_speed_depth     smallest depth within `tolerance` of the unbounded cycles
//   analytic_depth           closed form (README "Skip FIFO depth")
// Each also in SRAM bytes: what the skip FIFO allocates at that depth (skip_fifo_storage).
// Policy spill searches from its smallest legal depth, one DRAM burst (burst_bytes / lanes).
// Both searches use monotonicity in the depth (a deeper FIFO never deadlocks where a
// shallower one finishes, and is never slower) and run side by side on `jobs` cores, each
// probe's result narrowing both. The deadlock-free search tries the closed form's bracket
// first, the full-speed one the unbounded run's peak (U - 1, U); then they bisect.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tb/config/config.hpp"

namespace skipsim {

struct FindDepthOptions {
  std::string config;
  std::vector<std::string> sets;
  double tolerance = 0.001;
  int jobs = 0;  // parallel probes; 0 = all cores
  bool verbose = false;
  bool progress = false;  // a progress line on stderr (a terminal), rewritten per probe
  // Probes as forks of this process (no program start-up, tensors made once) instead of
  // `skipsim run` children. Only from a process that has not elaborated a SystemC model and
  // runs no other thread that could hold a lock across the fork.
  bool fork_probes = false;
  // The block's tensors from this --tensors directory instead of random ones (a network's
  // block: its data decides what a compressed skip path holds).
  std::string tensors;
  // Every finished probe is saved here (one JSON line each, after a header naming the
  // configuration) and taken from here by a rerun of the same search instead of simulating
  // again; empty = not saved. The uncompressed worst-case search uses PATH.uncompressed.
  std::string probe_journal;
};

struct FindDepthResult {
  uint64_t unbounded_max_occupancy = 0;
  uint64_t unbounded_cycles = 0;
  uint64_t min_deadlock_free_depth = 0;
  uint64_t min_full_speed_depth = 0;
  uint64_t min_full_speed_cycles = 0;
  uint64_t analytic_depth = 0;
  uint64_t simulations = 0;
  uint64_t simulations_bisection = 0;  // what plain bisections would have run (README)
  uint64_t beats_per_pixel = 0;
  int lanes = 0;
  // Bytes of one FIFO entry: a beat (lanes), or with compression a word of one SRAM row.
  int entry_bytes = 0;
  std::string compression = "none";
  uint64_t min_legal_depth = 1;  // spill: one DRAM burst of beats
  // SRAM bytes the skip FIFO takes at each depth above.
  uint64_t unbounded_max_occupancy_bytes = 0, min_deadlock_free_bytes = 0;
  uint64_t min_full_speed_bytes = 0, analytic_bytes = 0;
  // Compressed skip path, policy block: the words an incompressible X (no zero lane) takes at
  // the uncompressed search's depths (found by a second search, compression none), and their
  // SRAM; 0 otherwise. A FIFO sized for this data's depth deadlocks on such an X.
  uint64_t worst_deadlock_free_depth = 0, worst_full_speed_depth = 0;
  uint64_t worst_deadlock_free_bytes = 0, worst_full_speed_bytes = 0;
  uint64_t raw_deadlock_free_depth = 0, raw_full_speed_depth = 0;  // beats
  uint64_t worst_simulations = 0;                                  // of that second search
  double wall_seconds = 0;
};

// The closed form for the configured block (README "Skip FIFO depth").
uint64_t analytic_skip_depth(const Config& cfg);

FindDepthResult find_depth(const FindDepthOptions& opt);

// A skip FIFO that can hold the whole skip tensor of the configured block: its depth and the
// --set that adds its SRAM to the banks (the depth changes no timing but the FIFO's).
struct UnboundedSkip {
  uint64_t depth = 0;
  std::string bank_bytes_set;
};
UnboundedSkip unbounded_skip(const Config& cfg);
// Bytes per skip FIFO entry: a beat, or with compression a word of hardware.sram.width_bytes.
int skip_entry_bytes(const Config& cfg);

}  // namespace skipsim
