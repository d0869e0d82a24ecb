// The SRAM allocator of the layer-by-layer NPU on hand-made graphs with known plans, and
// check_plan on random graphs for every policy from tight to loose capacities.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tb/npu/allocator.hpp"

namespace skipsim {
namespace {

std::string errors(const std::vector<std::string>& e) {
  std::string s;
  for (const std::string& x : e) s += x + "\n";
  return s;
}

const TransferEvent* find_event(const SramPlan& p, TransferKind k, int tensor) {
  for (const TransferEvent& e : p.events)
    if (e.kind == k && e.tensor == tensor) return &e;
  return nullptr;
}

// in(30) -> t1(50) -> t2(20) -> t3(40) -> t4(10)
OpGraph chain() {
  OpGraphBuilder b;
  int t = b.tensor("in", 30);
  t = b.op_out("t1", NpuOpType::kConv, {t}, 50);
  t = b.op_out("t2", NpuOpType::kConv, {t}, 20);
  t = b.op_out("t3", NpuOpType::kConv, {t}, 40);
  b.op_out("t4", NpuOpType::kConv, {t}, 10);
  return b.take();
}

// in(10) -> X(100); conv1 X -> a(50); conv2 a -> b(100); add (b, X) -> Y(100); Y -> Z(10)
OpGraph residual() {
  OpGraphBuilder b;
  const int in = b.tensor("in", 10);
  const int x = b.op_out("X", NpuOpType::kConv, {in}, 100);
  const int a = b.op_out("a", NpuOpType::kConv, {x}, 50);
  const int bb = b.op_out("b", NpuOpType::kConv, {a}, 100);
  const int y = b.op_out("Y", NpuOpType::kAdd, {bb, x}, 100);
  b.op_out("Z", NpuOpType::kConv, {y}, 10);
  return b.take();
}

TEST(NpuAlloc, ChainPeakIsTheLargestAdjacentPair) {
  const OpGraph g = chain();
  EXPECT_EQ(g.peak_live_bytes(), 80u);  // in + t1
  EXPECT_EQ(g.max_live_tensors(), 2);
  const SramPlan p = plan_sram(g, {});
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  EXPECT_EQ(p.sram_peak_live_bytes, 80u);
  EXPECT_EQ(p.sram_arena_bytes, 80u);  // greedy by size reaches the peak here
  EXPECT_EQ(p.max_live_activation_tensors, 2);
  EXPECT_EQ(p.spill_bytes + p.fill_bytes, 0u);
  // t1 (largest) at 0, in and t2 above it, t3 at 0 again once t1 is dead.
  EXPECT_EQ(p.tensors[1].sram_offset, 0u);
  EXPECT_EQ(p.tensors[0].sram_offset, 50u);
  EXPECT_EQ(p.tensors[2].sram_offset, 50u);
  EXPECT_EQ(p.tensors[3].sram_offset, 0u);
  EXPECT_EQ(p.tensors[4].sram_offset, 40u);
}

TEST(NpuAlloc, ChainPingPongAlternatesTwoSlots) {
  const OpGraph g = chain();
  AllocOptions o;
  o.policy = AllocPolicy::kPingPong;
  const SramPlan p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  EXPECT_EQ(p.slot_bytes, 50u);
  EXPECT_EQ(p.sram_arena_bytes, 100u);
  for (int t = 0; t < 5; ++t) EXPECT_EQ(p.tensors[t].sram_offset, t % 2 ? 50u : 0u) << t;
}

TEST(NpuAlloc, ResidualKeepsXLiveAcrossTheMainPath) {
  const OpGraph g = residual();
  EXPECT_EQ(g.tensors[1].first_op(), 0);
  EXPECT_EQ(g.tensors[1].last_op(), 3);  // X until the add
  // Peak at the add: X + the main path's largest adjacent pair (b, Y).
  EXPECT_EQ(g.peak_live_bytes(), 300u);
  EXPECT_EQ(g.max_live_tensors(), 3);
  for (AllocPolicy pol : {AllocPolicy::kGreedyBySize, AllocPolicy::kPingPong}) {
    AllocOptions o;
    o.policy = pol;
    const SramPlan p = plan_sram(g, o);
    EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
    EXPECT_EQ(p.sram_peak_live_bytes, 300u);
    EXPECT_EQ(p.sram_arena_bytes, 300u);  // ping_pong: the third slot holds X
    EXPECT_EQ(p.max_resident_tensors, 3);
  }
}

TEST(NpuAlloc, ResidualSpillsXWhenTheMainPathNeedsItsSpace) {
  const OpGraph g = residual();
  AllocOptions o;
  o.capacity = 250;  // X + a + b fits; X + b + Y does not: the add streams its output
  SramPlan p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  EXPECT_EQ(p.stream_out_bytes, 100u);
  EXPECT_EQ(p.tensors[4].spilled_bytes, 100u);  // Y written by the add
  EXPECT_EQ(p.tensors[4].filled_bytes, 100u);   // and read back for Z

  o.capacity = 200;  // conv2 needs X's space: X spilled after conv1, read by the add
  p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  const TransferEvent* s = find_event(p, TransferKind::kSpill, 1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->op, 1);         // final since conv1 read it
  EXPECT_EQ(s->window_op, 2);  // its space taken by conv2
  EXPECT_EQ(p.tensors[1].spilled_bytes, 100u);
  EXPECT_EQ(p.tensors[1].filled_bytes, 100u);
  EXPECT_EQ(p.spill_bytes, 100u);
  EXPECT_LE(p.sram_peak_live_bytes, 200u);
}

TEST(NpuAlloc, PingPongWithTwoSlotsSpillsTheSkipTensor) {
  const OpGraph g = residual();
  AllocOptions o;
  o.policy = AllocPolicy::kPingPong;
  o.ping_pong_slots = 2;
  const SramPlan p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  EXPECT_EQ(p.sram_arena_bytes, 200u);
  EXPECT_EQ(p.tensors[1].spilled_bytes, 100u);  // X goes to DRAM during conv2
  EXPECT_GE(p.tensors[1].filled_bytes, 100u);
}

// op0 in->A(100); op1 in->B(120); op2 in->C(100); op3 C->D(10); op4 B,D->E(10);
// op5 A,E->F(10). At op2 (in + C + A + B = 330 > 240) one of A, B must go.
OpGraph two_waiting() {
  OpGraphBuilder b;
  const int in = b.tensor("in", 10);
  const int a = b.op_out("A", NpuOpType::kConv, {in}, 100);
  const int bb = b.op_out("B", NpuOpType::kConv, {in}, 120);
  const int c = b.op_out("C", NpuOpType::kConv, {in}, 100);
  const int d = b.op_out("D", NpuOpType::kConv, {c}, 10);
  const int e = b.op_out("E", NpuOpType::kAdd, {bb, d}, 10);
  b.op_out("F", NpuOpType::kAdd, {a, e}, 10);
  return b.take();
}

TEST(NpuAlloc, BeladyEvictsTheFarthestNextUse) {
  const OpGraph g = two_waiting();
  AllocOptions o;
  o.capacity = 240;
  o.prefetch_fills = false;
  SramPlan p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  EXPECT_EQ(p.replans, 0);
  const TransferEvent* s = find_event(p, TransferKind::kSpill, 1);  // A, next used at op5
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->op, 0);
  EXPECT_EQ(s->window_op, 2);
  EXPECT_EQ(find_event(p, TransferKind::kSpill, 2), nullptr);
  EXPECT_EQ(find_event(p, TransferKind::kFill, 1)->op, 5);
  EXPECT_EQ(p.spill_bytes, 100u);
  EXPECT_EQ(p.fill_bytes, 100u);

  o.spill = SpillPolicy::kLargestFirst;  // B is larger, though needed sooner
  p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  EXPECT_EQ(p.replans, 0);
  ASSERT_NE(find_event(p, TransferKind::kSpill, 2), nullptr);
  EXPECT_EQ(find_event(p, TransferKind::kSpill, 1), nullptr);
  EXPECT_EQ(find_event(p, TransferKind::kFill, 2)->op, 4);
  EXPECT_EQ(p.spill_bytes, 120u);
  EXPECT_EQ(p.fill_bytes, 120u);
}

TEST(NpuAlloc, FragmentedPlacementIsReplannedWithinCapacity) {
  // Largest-first evicts B at op2 and must fill it for op3, pushing A out: the byte budget
  // holds at every op but greedy offsets need 320 bytes.
  OpGraphBuilder b;
  const int in = b.tensor("in", 10);
  const int a = b.op_out("A", NpuOpType::kConv, {in}, 100);
  const int bb = b.op_out("B", NpuOpType::kConv, {in}, 120);
  const int c = b.op_out("C", NpuOpType::kConv, {in}, 100);
  const int d = b.op_out("D", NpuOpType::kConv, {bb, c}, 10);
  b.op_out("E", NpuOpType::kAdd, {a, d}, 10);
  const OpGraph g = b.take();
  AllocOptions o;
  o.capacity = 240;
  o.spill = SpillPolicy::kLargestFirst;
  o.prefetch_fills = false;
  const SramPlan p = plan_sram(g, o);
  EXPECT_GT(p.replans, 0);
  EXPECT_LE(p.sram_arena_bytes, 240u);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
}

// X(100) spilled during a(100) -> b(100), two small ops, then the add reads X.
OpGraph late_use() {
  OpGraphBuilder b;
  const int in = b.tensor("in", 10);
  const int x = b.op_out("X", NpuOpType::kConv, {in}, 100);
  int t = b.op_out("a", NpuOpType::kConv, {x}, 100);
  t = b.op_out("b", NpuOpType::kConv, {t}, 100);
  t = b.op_out("c", NpuOpType::kConv, {t}, 10);
  t = b.op_out("d", NpuOpType::kConv, {t}, 10);
  b.op_out("Y", NpuOpType::kAdd, {x, t}, 10);
  return b.take();
}

TEST(NpuAlloc, FillsArePrefetchedIntoFreeSpace) {
  const OpGraph g = late_use();
  AllocOptions o;
  o.capacity = 200;
  o.prefetch_fills = false;
  SramPlan p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  EXPECT_EQ(find_event(p, TransferKind::kFill, 1)->window_op, 5);
  o.prefetch_fills = true;
  p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  const TransferEvent* f = find_event(p, TransferKind::kFill, 1);
  EXPECT_EQ(f->op, 5);
  EXPECT_EQ(f->window_op, 4);  // op3 (b + c + X = 210) has no room, op4 does
  EXPECT_EQ(p.resident_at(1, 4)->first_op, 4);
}

TEST(NpuAlloc, TiledTransfersKeepTheByteCounts) {
  const OpGraph g = residual();
  AllocOptions o;
  o.capacity = 200;
  o.tile_bytes = 32;
  const SramPlan p = plan_sram(g, o);
  EXPECT_TRUE(check_plan(g, p).empty()) << errors(check_plan(g, p));
  int spill_tiles = 0;
  for (const TransferEvent& e : p.events) {
    EXPECT_LE(e.bytes, 32u);
    spill_tiles += e.kind == TransferKind::kSpill && e.tensor == 1;
  }
  EXPECT_EQ(spill_tiles, 4);  // 100 bytes: 32 + 32 + 32 + 4
  EXPECT_EQ(p.tensors[1].spilled_bytes, 100u);
  const nlohmann::json j = to_json(g, p);
  EXPECT_EQ(j["spill_bytes"], p.spill_bytes);
  EXPECT_EQ(j["tensors"][1]["name"], "X");
}

TEST(NpuAlloc, CheckerCatchesOverlapsAndMissingOperands) {
  const OpGraph g = chain();
  SramPlan p = plan_sram(g, {});
  ASSERT_TRUE(check_plan(g, p).empty());
  SramPlan bad = p;
  for (Residency& r : bad.residencies) r.offset = 0;  // in and t1 collide at op 0
  EXPECT_FALSE(check_plan(g, bad).empty());
  bad = p;
  bad.residencies.erase(bad.residencies.begin());  // an operand nowhere
  EXPECT_FALSE(check_plan(g, bad).empty());
  bad = p;
  bad.options.capacity = 60;
  EXPECT_FALSE(check_plan(g, bad).empty());
  // t1 read through DRAM at op 1 without ever having been written there.
  bad = p;
  bad.residencies.erase(std::remove_if(bad.residencies.begin(), bad.residencies.end(),
                                       [](const Residency& r) { return r.tensor == 1; }),
                        bad.residencies.end());
  bad.streamed[0].push_back(1);
  bad.streamed[1].push_back(1);
  bad.events.push_back({TransferKind::kStreamIn, 1, 50, 1, 1});
  bad.fill_bytes += 50;
  bad.tensors[1].filled_bytes += 50;
  const std::vector<std::string> e = check_plan(g, bad);
  EXPECT_NE(errors(e).find("without a transfer"), std::string::npos) << errors(e);    // op 0
  EXPECT_NE(errors(e).find("before any DRAM copy"), std::string::npos) << errors(e);  // op 1
}

OpGraph random_graph(std::mt19937& rng) {
  OpGraphBuilder b;
  std::uniform_int_distribution<int> n_ops(3, 30), bytes(1, 1000), coin(0, 3);
  std::vector<int> avail{b.tensor("in", bytes(rng))};
  const int n = n_ops(rng);
  for (int i = 0; i < n; ++i) {
    // Mostly the latest tensor, sometimes an older one too (skips of any length).
    std::vector<int> in{avail.back()};
    if (coin(rng) == 0 && avail.size() > 1) {
      const int old = avail[std::uniform_int_distribution<int>(0, avail.size() - 2)(rng)];
      in.push_back(old);
    }
    avail.push_back(b.op_out("t" + std::to_string(i),
                             coin(rng) ? NpuOpType::kConv : NpuOpType::kAdd, in, bytes(rng)));
  }
  return b.take();
}

TEST(NpuAlloc, RandomGraphsGiveSoundPlansForEveryPolicy) {
  std::mt19937 rng(1234);
  for (int graph = 0; graph < 60; ++graph) {
    const OpGraph g = random_graph(rng);
    const uint64_t peak = g.peak_live_bytes();
    for (AllocPolicy pol : {AllocPolicy::kGreedyBySize, AllocPolicy::kPingPong})
      for (SpillPolicy sp : {SpillPolicy::kFarthestNextUse, SpillPolicy::kLargestFirst})
        for (uint64_t cap : {uint64_t{0}, peak / 4, peak / 2, peak * 3 / 4, peak, peak * 2})
          for (uint64_t align : {1, 16})
            for (bool prefetch : {false, true}) {
              AllocOptions o;
              o.policy = pol;
              o.spill = sp;
              o.capacity = cap;
              o.alignment = align;
              o.prefetch_fills = prefetch;
              o.tile_bytes = graph % 2 ? 64 : 0;
              const SramPlan p = plan_sram(g, o);
              const std::vector<std::string> e = check_plan(g, p);
              ASSERT_TRUE(e.empty())
                  << "graph " << graph << " " << enum_name(pol) << " " << enum_name(sp) << " cap "
                  << cap << " align " << align << "\n"
                  << errors(e);
              if (cap == 0) {
                EXPECT_EQ(p.spill_bytes + p.fill_bytes, 0u);
                EXPECT_EQ(p.sram_peak_live_bytes, peak);
              }
              if (pol == AllocPolicy::kGreedyBySize && cap == 0 && align == 1)
                EXPECT_GE(p.sram_arena_bytes, peak);
            }
  }
}

TEST(NpuAlloc, NoSpillWhenTheUnboundedArenaFits) {
  std::mt19937 rng(99);
  for (int graph = 0; graph < 40; ++graph) {
    const OpGraph g = random_graph(rng);
    AllocOptions o;
    const uint64_t arena = plan_sram(g, o).sram_arena_bytes;
    o.capacity = arena;
    const SramPlan p = plan_sram(g, o);
    EXPECT_TRUE(check_plan(g, p).empty());
    EXPECT_EQ(p.spill_bytes + p.fill_bytes, 0u) << graph;
  }
}

}  // namespace
}  // namespace skipsim
