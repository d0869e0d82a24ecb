#include "tb/observe/deadlock.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace skipsim {

void DeadlockDiagnosis::report(StatsNode& node) const {
  node.set("text", text)
      .set("cycle", cycle)
      .set("full_streams", full_streams)
      .set("empty_streams", empty_streams);
  StatsNode& c = node.list("chain");
  for (const auto& h : chain) {
    c.append()
        .set("block", h.block)
        .set("state", h.state)
        .set("port", h.port)
        .set("detail", h.detail)
        .set("waits_on", h.waits_on);
  }
}

std::string describe_hop(const WaitHop& h) {
  // A block busy computing or waiting on DRAM waits on no port: no "on" then.
  const std::string on = h.port.empty() ? "" : " on " + h.port;
  std::string t;
  if (h.state == "starved") {
    // "conv2 waits conv1 (in: output (0,0) needs ...)"
    const std::string on_whom = h.waits_on.empty() ? h.port : h.waits_on;
    t = h.block + (on_whom.empty() ? " starved" : " waits " + on_whom);
    const std::string why = h.port + (h.port.empty() || h.detail.empty() ? "" : ": ") + h.detail;
    if (!why.empty()) t += " (" + why + ")";
  } else if (h.state == "blocked" && h.detail.rfind("full", 0) == 0) {
    t = h.block + " " + h.detail;  // "skip_fifo full (64/64)"
  } else {
    t = h.block + " " + h.state + on;
    if (!h.waits_on.empty()) t += " by " + h.waits_on;
    if (!h.detail.empty()) t += " (" + h.detail + ")";
  }
  return t;
}

DeadlockDiagnosis diagnose_deadlock(const std::vector<HwBlock*>& blocks,
                                    const std::vector<Stream*>& streams) {
  DeadlockDiagnosis d;
  std::map<std::string, HwBlock*> by_name;
  for (HwBlock* b : blocks) by_name[b->block_name()] = b;
  for (Stream* s : streams) {
    const bool v = s->valid.read(), r = s->ready.read();
    if (v && !r) d.full_streams.push_back(s->name);
    if (!v && r) d.empty_streams.push_back(s->name);
  }
  // The block a waiting block depends on, through the stream on the port it waits on.
  auto next_of = [&](const std::string& block, const WaitState& w) -> std::string {
    for (Stream* s : streams) {
      if (w.kind == WaitState::Kind::kStarved && s->consumer == block && s->consumer_port == w.port)
        return s->producer;
      if (w.kind == WaitState::Kind::kBlocked && s->producer == block && s->producer_port == w.port)
        return s->consumer;
    }
    return "";
  };
  // Start where a deadlock shows first: a blocked fork, else the first waiting block.
  std::string start;
  if (by_name.count("fork") && by_name["fork"]->wait_state().kind == WaitState::Kind::kBlocked) {
    start = "fork";
  } else {
    for (HwBlock* b : blocks) {
      const auto k = b->wait_state().kind;
      if (k == WaitState::Kind::kStarved || k == WaitState::Kind::kBlocked) {
        start = b->block_name();
        break;
      }
    }
  }
  std::set<std::string> seen;
  std::string cur = start;
  while (!cur.empty() && by_name.count(cur)) {
    if (seen.count(cur)) {
      d.cycle = true;
      break;
    }
    seen.insert(cur);
    const WaitState w = by_name[cur]->wait_state();
    WaitHop h;
    h.block = cur;
    h.state = to_string(w.kind);
    h.port = w.port;
    h.detail = w.detail;
    h.waits_on = next_of(cur, w);
    d.chain.push_back(h);
    cur = h.waits_on;
  }
  std::string t;
  for (size_t i = 0; i < d.chain.size(); ++i) t += (i ? " -> " : "") + describe_hop(d.chain[i]);
  if (d.cycle) t += " -> back to " + d.chain.back().waits_on;
  if (!d.full_streams.empty() || !d.empty_streams.empty()) {
    std::string full, empty;
    for (const auto& s : d.full_streams) full += (full.empty() ? "" : ", ") + s;
    for (const auto& s : d.empty_streams) empty += (empty.empty() ? "" : ", ") + s;
    t += "; full: " + (full.empty() ? "none" : full) +
         "; empty: " + (empty.empty() ? "none" : empty);
  }
  d.text = t;
  return d;
}

}  // namespace skipsim
