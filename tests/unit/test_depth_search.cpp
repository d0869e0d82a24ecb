// find-depth's search (tb/modes/depth_search.hpp) against a known monotone property: it
// finds the boundary whatever the hint (right, off by a little, far off, out of range) and
// however many probes run at once, and a right hint costs two probes.
#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "tb/modes/depth_search.hpp"

using skipsim::bisection_probes;
using skipsim::DepthSearch;

namespace {

struct Outcome {
  uint64_t answer = 0;
  uint64_t probes = 0;
};

// Runs the search the way find-depth does: up to `jobs` probes in flight, results taken in
// launch order. The property holds from `boundary` on; hi is known from the start.
Outcome search(uint64_t lo, uint64_t hi, uint64_t boundary, std::vector<uint64_t> hints,
               bool low_first, int jobs) {
  DepthSearch s(lo, std::move(hints), low_first);
  s.set_hi(hi);
  std::deque<uint64_t> running;
  Outcome o;
  auto fill = [&] {
    while (static_cast<int>(running.size()) < jobs) {
      const std::set<uint64_t> in_flight(running.begin(), running.end());
      const uint64_t d = s.next(in_flight);
      if (!d) return;
      EXPECT_FALSE(in_flight.count(d)) << d;
      EXPECT_TRUE(s.useful(d)) << d;
      running.push_back(d);
    }
  };
  fill();
  while (!running.empty()) {
    const uint64_t d = running.front();
    running.pop_front();
    ++o.probes;
    s.record(d, d >= boundary);
    fill();
    if (o.probes > 4 * (hi - lo) + 8) break;  // a search that never ends
  }
  EXPECT_TRUE(s.done());
  o.answer = s.hi();
  return o;
}

}  // namespace

TEST(DepthSearch, FindsTheBoundaryWhateverTheHint) {
  for (const uint64_t lo : {0u, 3u}) {
    for (const uint64_t hi : {lo + 1, lo + 2, lo + 9, lo + 40}) {
      for (uint64_t boundary = lo + 1; boundary <= hi; ++boundary) {
        for (uint64_t hint = 0; hint <= hi + 3; ++hint) {
          for (const bool low_first : {false, true}) {
            for (const int jobs : {1, 2, 3, 5}) {
              const Outcome o = search(lo, hi, boundary, {hint}, low_first, jobs);
              ASSERT_EQ(o.answer, boundary) << "lo " << lo << " hi " << hi << " hint " << hint
                                            << " low_first " << low_first << " jobs " << jobs;
            }
          }
        }
      }
    }
  }
}

TEST(DepthSearch, ARightHintCostsTwoProbes) {
  for (const int jobs : {1, 2, 4}) {
    for (const bool low_first : {false, true}) {
      const Outcome o = search(0, 1054, 670, {670}, low_first, jobs);
      EXPECT_EQ(o.answer, 670u);
      EXPECT_EQ(o.probes, 2u) << jobs;
    }
  }
  // hint - 1 below lo: the hint alone.
  EXPECT_EQ(search(0, 100, 1, {1}, false, 2).probes, 1u);
}

TEST(DepthSearch, AWrongHintCostsAtMostTwoProbesMoreThanBisection) {
  for (const uint64_t boundary : {1u, 2u, 222u, 700u, 1117u}) {
    for (const uint64_t hint : {5u, 300u, 1117u}) {
      const Outcome o = search(0, 1118, boundary, {hint}, true, 1);
      EXPECT_EQ(o.answer, boundary);
      EXPECT_LE(o.probes, bisection_probes(0, 1118) + 2) << boundary << " " << hint;
    }
  }
}

// Several guesses: tried in order while inside the bounds; a right second guess costs the
// first one's two probes and its own two.
TEST(DepthSearch, SeveralGuessesInOrder) {
  for (uint64_t boundary = 1; boundary <= 12; ++boundary)
    for (uint64_t a = 0; a <= 13; ++a)
      for (uint64_t b = 0; b <= 13; ++b)
        for (const int jobs : {1, 2, 3})
          ASSERT_EQ(search(0, 12, boundary, {a, b}, true, jobs).answer, boundary)
              << a << " " << b << " jobs " << jobs;
  EXPECT_EQ(search(0, 1118, 574, {200, 574}, true, 2).probes, 4u);  // 199, 200 fail
  EXPECT_EQ(search(0, 1118, 574, {900, 574}, true, 1).probes, 3u);  // 899 holds: 900 moot
}

// Results that contradict monotonicity (jitter near the tolerance) do not undo the bounds.
TEST(DepthSearch, IgnoresResultsOutsideTheBounds) {
  DepthSearch s(0, 0);
  s.set_hi(10);
  s.record(5, true);
  s.record(7, false);  // above hi: ignored
  EXPECT_EQ(s.hi(), 5u);
  EXPECT_EQ(s.lo(), 0u);
  s.record(3, false);
  s.record(2, true);  // below lo: ignored
  EXPECT_EQ(s.lo(), 3u);
  EXPECT_EQ(s.hi(), 5u);
}

TEST(DepthSearch, BisectionProbes) {
  EXPECT_EQ(bisection_probes(0, 1), 0u);
  EXPECT_EQ(bisection_probes(0, 2), 1u);
  EXPECT_EQ(bisection_probes(0, 3), 2u);
  EXPECT_EQ(bisection_probes(0, 4), 2u);
  EXPECT_EQ(bisection_probes(0, 5), 3u);
  EXPECT_EQ(bisection_probes(669, 1054), 9u);  // 385 candidates
}
