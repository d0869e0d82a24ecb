#pragma once
// SRAM allocation for the layer-by-layer NPU: where each activation tensor lives in the
// on-chip SRAM op by op, and which bytes go to DRAM and back when the live set does not fit.
//
// Placement (npu.allocator):
// - greedy_by_size: the offset planner of TFLite Micro (GreedyMemoryPlanner) and TVM USMP:
//   buffers sorted by size, largest first (ties: earlier first use, then id), each at the
//   lowest aligned offset where it overlaps in address no placed buffer whose lifetime
//   overlaps its own.
// - ping_pong: equal slots the size of the largest resident tensor, each buffer in the
//   lowest slot free over its lifetime. A chain alternates between two slots; a tensor that
//   outlives the next op (a residual block's X) holds a third slot, the skip buffer, for
//   the whole main path. With fewer slots than that in `capacity`, X is spilled to DRAM and
//   filled back for the add (npu.spill chooses whom to evict, as for greedy_by_size).
//
// Spill (npu.spill), when the resident tensors of an op do not fit `capacity`:
// - farthest_next_use (Belady): evict the resident tensor whose next use is farthest;
// - largest_first: evict the largest resident tensor not used by the op.
// An evicted tensor stays resident until the op that needs its space; it is written to DRAM
// once (activations are never modified, so a second eviction costs no write) and filled
// back before its next use, as early as the free space allows when prefetch_fills is set.
// An op whose own operands exceed capacity streams its largest operands through DRAM in
// tiles (stream_in / stream_out events): such a tensor is written to DRAM by its producer
// and read by every consumer that cannot hold it. Spill and fill byte totals include the
// streamed bytes; their staging buffers are outside `capacity`.
// Greedy placement can fragment: when the offsets exceed capacity, the spill decisions are
// redone with the largest byte budget (found by bisection) whose placement fits.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hw/common/enum_names.hpp"
#include "tb/npu/op_graph.hpp"

namespace skipsim {

enum class AllocPolicy { kGreedyBySize, kPingPong };
inline constexpr EnumName<AllocPolicy> kAllocPolicyNames[] = {
    {AllocPolicy::kGreedyBySize, "greedy_by_size"}, {AllocPolicy::kPingPong, "ping_pong"}};
constexpr const auto& enum_table(AllocPolicy) { return kAllocPolicyNames; }

enum class SpillPolicy { kFarthestNextUse, kLargestFirst };
inline constexpr EnumName<SpillPolicy> kSpillPolicyNames[] = {
    {SpillPolicy::kFarthestNextUse, "farthest_next_use"},
    {SpillPolicy::kLargestFirst, "largest_first"}};
constexpr const auto& enum_table(SpillPolicy) { return kSpillPolicyNames; }

struct AllocOptions {
  AllocPolicy policy = AllocPolicy::kGreedyBySize;
  SpillPolicy spill = SpillPolicy::kFarthestNextUse;
  uint64_t capacity = 0;    // bytes of SRAM for activations; 0: unbounded (no spill)
  uint64_t alignment = 1;   // offsets and sizes rounded up to this (e.g. the SRAM row width)
  uint64_t tile_bytes = 0;  // DRAM transfers split into tiles of this size; 0: whole tensors
  bool prefetch_fills = true;
  int ping_pong_slots = 0;  // 0: as many as fit in capacity (unbounded: as many as needed)
};

// One stretch of ops during which a tensor sits at one SRAM offset.
struct Residency {
  int tensor = 0;
  int first_op = 0, last_op = 0;  // both included
  uint64_t offset = 0;
};

enum class TransferKind { kSpill, kFill, kStreamOut, kStreamIn, kLoad };
inline constexpr EnumName<TransferKind> kTransferKindNames[] = {
    {TransferKind::kSpill, "spill"},
    {TransferKind::kFill, "fill"},
    {TransferKind::kStreamOut, "stream_out"},
    {TransferKind::kStreamIn, "stream_in"},
    {TransferKind::kLoad, "load"}};
constexpr const auto& enum_table(TransferKind) { return kTransferKindNames; }

// A DRAM transfer of (a tile of) an activation tensor.
// spill: the data are final after op `op` and its SRAM space is taken by op `window_op`
//   (the write overlaps ops op+1 .. window_op-1). fill / load (a graph input's first
//   read): needed by op `op`, its SRAM space reserved from op `window_op` (the read
//   overlaps window_op .. op-1, or must precede op when they are equal). stream_out /
//   stream_in: written / read by op `op` itself (window_op == op).
struct TransferEvent {
  TransferKind kind = TransferKind::kSpill;
  int tensor = 0;
  uint64_t bytes = 0;
  int op = 0;
  int window_op = 0;
};

struct TensorPlan {
  std::string name;
  uint64_t bytes = 0;
  int first_op = 0, last_op = 0;  // liveness
  bool dram = false;              // never resident in SRAM (streamed by every op)
  uint64_t sram_offset = 0;       // the first residency's offset (unless dram)
  uint64_t spilled_bytes = 0;     // written to DRAM (spills and stream_out)
  uint64_t filled_bytes = 0;      // read back from DRAM (fills and stream_in; not the load)
};

struct SramPlan {
  AllocOptions options;
  std::vector<Residency> residencies;
  std::vector<TransferEvent> events;
  std::vector<TensorPlan> tensors;
  // streamed[op]: tensors op reads or writes through DRAM instead of SRAM.
  std::vector<std::vector<int>> streamed;
  uint64_t slot_bytes = 0;              // ping_pong: the size of one slot
  uint64_t liveness_peak_bytes = 0;     // the graph's peak live bytes (unbounded SRAM)
  int max_live_activation_tensors = 0;  // the graph's most live tensors at one op
  uint64_t sram_peak_live_bytes = 0;    // the most bytes resident at one op in this plan
  uint64_t sram_arena_bytes = 0;        // the highest offset + size used
  int max_resident_tensors = 0;
  uint64_t spill_bytes = 0, fill_bytes = 0;
  uint64_t stream_out_bytes = 0, stream_in_bytes = 0, load_bytes = 0;
  int replans = 0;  // plans tried with a lower byte budget because of fragmentation

  // The residency of `tensor` covering `op`, or nullptr.
  const Residency* resident_at(int tensor, int op) const;
};

SramPlan plan_sram(const OpGraph& g, const AllocOptions& opt);

// Every violation of the plan's invariants, empty when sound: at every op the resident
// tensors sit in disjoint address ranges within capacity, aligned; every operand of an op is
// resident at that op or streamed by it; a residency that does not start at the producer
// follows a DRAM copy and has its fill or load; the byte totals match the events.
std::vector<std::string> check_plan(const OpGraph& g, const SramPlan& p);

nlohmann::json to_json(const OpGraph& g, const SramPlan& p);

}  // namespace skipsim
