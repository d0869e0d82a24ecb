#include "hw/dram/ddr_controller.hpp"

#include <algorithm>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace skipsim {

const char* to_string(DdrCommand c) {
  switch (c) {
    case DdrCommand::kAct:
      return "ACT";
    case DdrCommand::kPre:
      return "PRE";
    case DdrCommand::kRd:
      return "RD";
    case DdrCommand::kWr:
      return "WR";
    case DdrCommand::kRef:
      return "REF";
  }
  return "?";
}

namespace {

int log2_of(int v) {
  int b = 0;
  while ((1 << b) < v) ++b;
  return b;
}

}  // namespace

DdrController::DdrController(const DdrConfig& cfg) : m_cfg(cfg), m_map(cfg) {
  validate_ddr_config(cfg, "dram", cfg.name);
  m_rank_bits = log2_of(cfg.ranks);
  m_bg_bits = log2_of(cfg.bank_groups);
  m_ba_bits = log2_of(cfg.banks_per_group);
  m_channels.resize(static_cast<size_t>(cfg.channels));
  const size_t words = (static_cast<size_t>(cfg.ranks * cfg.banks_per_rank()) + 63) / 64;
  for (Channel& c : m_channels) {
    for (int w = 0; w < 2; ++w) {
      Queue& q = c.q[w];
      const int n = w ? cfg.write_queue : cfg.read_queue;
      q.slots.resize(static_cast<size_t>(n));
      for (int i = n - 1; i >= 0; --i) q.free.push_back(i);
      q.banks.assign(words, 0);
      q.cand.resize(static_cast<size_t>(cfg.ranks * cfg.banks_per_rank()));
    }
  }
  m_ranks.resize(static_cast<size_t>(cfg.channels) * static_cast<size_t>(cfg.ranks));
  for (Rank& r : m_ranks) r.refresh_due = static_cast<uint64_t>(cfg.tREFI);
  m_banks.resize(static_cast<size_t>(cfg.total_banks()));
  const size_t groups = m_ranks.size() * static_cast<size_t>(cfg.bank_groups);
  m_next_act_bg.assign(groups, 0);
  m_next_rd_bg.assign(groups, 0);
  m_next_wr_bg.assign(groups, 0);
  m_completed.reserve(static_cast<size_t>(cfg.channels) *
                      static_cast<size_t>(cfg.read_queue + cfg.write_queue));
}

bool DdrController::can_accept(uint64_t addr, bool is_write) const {
  const Channel& c = m_channels[static_cast<size_t>(m_map.decode(addr).channel)];
  return is_write ? c.q[1].size < static_cast<size_t>(m_cfg.write_queue)
                  : c.q[0].size < static_cast<size_t>(m_cfg.read_queue);
}

uint64_t DdrController::enqueue(uint64_t addr, bool is_write, uint64_t cycle) {
  const DramAddress a = m_map.decode(addr);
  Channel& c = m_channels[static_cast<size_t>(a.channel)];
  Queue& q = c.q[is_write];
  if (q.size >= static_cast<size_t>(is_write ? m_cfg.write_queue : m_cfg.read_queue)) {
    throw std::logic_error("DdrController::enqueue: queue full (check can_accept first)");
  }
  Request r;
  r.id = m_next_id++;
  r.accepted = cycle;
  r.eligible = std::max(cycle + kPipeline, m_now);
  r.row = a.row;
  r.bank = bank_index(a.channel, a.rank, a.bank_group, a.bank);
  r.rank = rank_of_bank(r.bank);
  r.group = group_of_bank(r.bank);
  r.column = a.column;
  r.kind = 0;
  const int slot = q.free.back();
  q.free.pop_back();
  ++q.size;
  Bank& nb = m_banks[static_cast<size_t>(r.bank)];
  r.prev = nb.tail[is_write];
  r.next = -1;
  if (r.prev >= 0) {
    q.slots[static_cast<size_t>(r.prev)].next = slot;
  } else {
    nb.head[is_write] = slot;
    const int lb = local_bank(r.bank);
    q.banks[static_cast<size_t>(lb >> 6)] |= uint64_t{1} << (lb & 63);
  }
  nb.tail[is_write] = slot;
  q.slots[static_cast<size_t>(slot)] = r;
  ++m_pending;
  ++nb.queued[is_write];
  if (m_banks[static_cast<size_t>(r.bank)].open_row == r.row) {
    ++m_banks[static_cast<size_t>(r.bank)].hits[is_write];
  }
  refresh_bank(r.bank, is_write);
  if (!c.decided) return r.id;
  // Keep the decision unless the new request changes it: the youngest request wins only by
  // an earlier cycle, or as a row hit against a non-hit at the same cycle; a new hit also
  // forbids precharging its bank.
  if (wants_write_mode(c) != c.write_mode) {
    c.decided = false;
  } else if (is_write == c.write_mode) {
    const Bank& b = m_banks[static_cast<size_t>(r.bank)];
    const bool hit = b.open_row == r.row;
    uint64_t e;
    if (hit) {
      e = c.next.cmd == DdrCommand::kPre && c.next.bank == r.bank
              ? 0
              : earliest_col(c, r.bank, r.rank, r.group, is_write);
    } else if (b.open_row >= 0) {
      e = earliest_pre(c, r.bank);
    } else {
      e = earliest_act(c, r.bank, r.rank, r.group);
    }
    e = std::max(e, r.eligible);
    if (e < m_ranks[static_cast<size_t>(r.rank)].refresh_due &&
        (e < c.next.cycle || (e == c.next.cycle && hit && !c.next.hit))) {
      c.decided = false;
    }
  }
  return r.id;
}

void DdrController::open_row(int bank, int64_t row, int act_queue) {
  Bank& b = m_banks[static_cast<size_t>(bank)];
  b.open_row = row;
  const int ch = channel_of_rank(rank_of_bank(bank));
  const Channel& c = m_channels[static_cast<size_t>(ch)];
  for (int w = 0; w < 2; ++w) {
    int n = 0;
    if (w == act_queue && b.queued[w] == 1) {
      n = 1;  // the request the ACT is for is the bank's only one in that queue
    } else if (b.queued[w] > 0) {
      const std::vector<Request>& slots = c.q[w].slots;
      for (int s = b.head[w]; s >= 0; s = slots[static_cast<size_t>(s)].next) {
        n += slots[static_cast<size_t>(s)].row == row;
      }
    }
    b.hits[w] = n;
  }
}

void DdrController::refresh_bank(int bank, int only) {
  const Bank& b = m_banks[static_cast<size_t>(bank)];
  Channel& c = m_channels[static_cast<size_t>(channel_of_rank(rank_of_bank(bank)))];
  const size_t lb = static_cast<size_t>(local_bank(bank));
  for (int w = 0; w < 2; ++w) {
    if (b.head[w] < 0 || (only >= 0 && w != only)) continue;
    Queue& q = c.q[w];
    const Request* r = &q.slots[static_cast<size_t>(b.head[w])];
    Candidate& k = q.cand[lb];
    if (b.hits[w] > 0) {
      while (r->row != b.open_row) r = &q.slots[static_cast<size_t>(r->next)];
      k.lb = std::max(r->eligible, w ? b.next_wr : b.next_rd);
      k.tie = r->id;
    } else {
      k.lb = std::max(r->eligible, b.open_row >= 0 ? b.next_pre : b.next_act);
      k.tie = kNotHit | r->id;
    }
    k.slot = static_cast<int>(r - q.slots.data());
  }
}

void DdrController::close_row(int bank) {
  Bank& b = m_banks[static_cast<size_t>(bank)];
  b.open_row = -1;
  b.hits[0] = b.hits[1] = 0;
}

void DdrController::take_completed(std::vector<DdrCompletion>& out) {
  out.clear();
  std::swap(out, m_completed);
}

void DdrController::report(StatsNode& node) const {
  m_stats.report(node, m_cfg, m_stats.last_done_cycle ? m_stats.last_done_cycle : m_now);
}

// ---------------------------------------------------------------------------------------
// Timing rules

inline uint64_t DdrController::earliest_col(const Channel& c, int bank, int rank, int group,
                                            bool write) const {
  const Bank& b = m_banks[static_cast<size_t>(bank)];
  const size_t g = static_cast<size_t>(group);
  uint64_t e = write ? std::max(b.next_wr, m_next_wr_bg[g]) : std::max(b.next_rd, m_next_rd_bg[g]);
  e = std::max({e, c.cmd_free, m_now});
  // The data bus: this burst starts after the previous one, plus the rank switch and
  // read-to-write turnaround gaps.
  uint64_t gap = 0;
  if (c.bus_rank >= 0) {
    if (c.bus_rank != rank) gap = static_cast<uint64_t>(m_cfg.tRTRS);
    if (write && !c.bus_write) gap = std::max<uint64_t>(gap, kReadToWriteGap);
  }
  const uint64_t data_start = c.bus_free + gap;
  const uint64_t latency = static_cast<uint64_t>(write ? m_cfg.CWL : m_cfg.CL);
  if (data_start > latency) e = std::max(e, data_start - latency);
  return e;
}

uint64_t DdrController::earliest_ref(int rank) const {
  const Channel& c = m_channels[static_cast<size_t>(channel_of_rank(rank))];
  uint64_t e = std::max(c.cmd_free, m_now);
  const int first = rank * m_cfg.banks_per_rank();
  for (int b = first; b < first + m_cfg.banks_per_rank(); ++b) {
    e = std::max(e, m_banks[static_cast<size_t>(b)].next_act);
  }
  return e;
}

uint64_t DdrController::earliest(DdrCommand cmd, const DramAddress& t) const {
  const int bank = bank_index(t.channel, t.rank, t.bank_group, t.bank);
  const int rank = rank_of_bank(bank), group = group_of_bank(bank);
  const Channel& ch = channel_of_bank(bank);
  const Bank& b = m_banks[static_cast<size_t>(bank)];
  switch (cmd) {
    case DdrCommand::kAct:
      return b.open_row < 0 ? earliest_act(ch, bank, rank, group) : kNever;
    case DdrCommand::kPre:
      return b.open_row >= 0 ? earliest_pre(ch, bank) : kNever;
    case DdrCommand::kRd:
    case DdrCommand::kWr:
      return b.open_row == t.row ? earliest_col(ch, bank, rank, group, cmd == DdrCommand::kWr)
                                 : kNever;
    case DdrCommand::kRef: {
      const int rank = t.channel * m_cfg.ranks + t.rank;
      return m_ranks[static_cast<size_t>(rank)].open_banks == 0 ? earliest_ref(rank) : kNever;
    }
  }
  return kNever;
}

uint64_t DdrController::apply(DdrCommand cmd, int bank, int rank, int64_t row, uint64_t c,
                              int act_queue) {
  Channel& ch = m_channels[static_cast<size_t>(channel_of_rank(rank))];
  Rank& r = m_ranks[static_cast<size_t>(rank)];
  ch.cmd_free = c + 1;
  const auto raise = [](uint64_t& v, uint64_t to) { v = std::max(v, to); };
  const int bgs = m_cfg.bank_groups;
  const size_t g0 = static_cast<size_t>(rank) * static_cast<size_t>(bgs);
  const int bg = bank >= 0 ? bg_of_bank(bank) : 0;
  uint64_t done = 0;
  switch (cmd) {
    case DdrCommand::kAct: {
      Bank& b = m_banks[static_cast<size_t>(bank)];
      open_row(bank, row, act_queue);
      ++r.open_banks;
      raise(b.next_rd, c + m_cfg.tRCD);
      raise(b.next_wr, c + m_cfg.tRCD);
      raise(b.next_pre, c + m_cfg.tRAS);
      raise(b.next_act, c + m_cfg.trc());
      for (int i = 0; i < bgs; ++i) {
        raise(m_next_act_bg[g0 + i], c + (i == bg ? m_cfg.tRRD_L : m_cfg.tRRD_S));
      }
      r.faw[r.faw_pos] = c + m_cfg.tFAW;
      r.faw_pos = (r.faw_pos + 1) & 3;
      ++m_stats.act;
      break;
    }
    case DdrCommand::kPre: {
      Bank& b = m_banks[static_cast<size_t>(bank)];
      close_row(bank);
      --r.open_banks;
      raise(b.next_act, c + m_cfg.tRP);
      ++m_stats.pre;
      break;
    }
    case DdrCommand::kRd: {
      Bank& b = m_banks[static_cast<size_t>(bank)];
      raise(b.next_pre, c + m_cfg.tRTP);
      for (int i = 0; i < bgs; ++i) {
        const int ccd = i == bg ? m_cfg.tCCD_L : m_cfg.tCCD_S;
        raise(m_next_rd_bg[g0 + i], c + ccd);
        raise(m_next_wr_bg[g0 + i], c + ccd);
      }
      done = c + m_cfg.CL + m_cfg.data_cycles();
      ch.bus_free = done;
      ch.bus_rank = rank;
      ch.bus_write = false;
      ++m_stats.rd;
      m_stats.data_bus_busy_cycles += m_cfg.data_cycles();
      break;
    }
    case DdrCommand::kWr: {
      Bank& b = m_banks[static_cast<size_t>(bank)];
      done = c + m_cfg.CWL + m_cfg.data_cycles();
      raise(b.next_pre, done + m_cfg.tWR);
      for (int i = 0; i < bgs; ++i) {
        raise(m_next_wr_bg[g0 + i], c + (i == bg ? m_cfg.tCCD_L : m_cfg.tCCD_S));
        raise(m_next_rd_bg[g0 + i], done + (i == bg ? m_cfg.tWTR_L : m_cfg.tWTR_S));
      }
      ch.bus_free = done;
      ch.bus_rank = rank;
      ch.bus_write = true;
      ++m_stats.wr;
      m_stats.data_bus_busy_cycles += m_cfg.data_cycles();
      break;
    }
    case DdrCommand::kRef: {
      const int first = rank * m_cfg.banks_per_rank();
      for (int b = first; b < first + m_cfg.banks_per_rank(); ++b) {
        raise(m_banks[static_cast<size_t>(b)].next_act, c + m_cfg.tRFC);
      }
      r.refresh_due += static_cast<uint64_t>(m_cfg.tREFI);
      ++m_stats.ref;
      for (int b = first; b < first + m_cfg.banks_per_rank(); ++b) refresh_bank(b);
      return done;
    }
  }
  // A column command changes its queue too: its caller refreshes the bank then.
  if (cmd == DdrCommand::kAct || cmd == DdrCommand::kPre) refresh_bank(bank);
  return done;
}

void DdrController::log(uint64_t c, DdrCommand cmd, int bank, int rank, int64_t row, int column,
                        uint64_t req) {
  if (!m_log_on) return;
  DdrIssued e;
  e.cycle = c;
  e.cmd = cmd;
  e.target.channel = channel_of_rank(rank);
  e.target.rank = rank % m_cfg.ranks;
  if (bank >= 0) {
    e.target.bank_group = bg_of_bank(bank);
    e.target.bank = bank % m_cfg.banks_per_group;
  }
  e.target.row = row;
  e.target.column = column;
  e.request = req;
  m_log.push_back(e);
}

void DdrController::issue(DdrCommand cmd, const DramAddress& t, uint64_t cycle) {
  const uint64_t e = earliest(cmd, t);
  if (e == kNever || cycle < e) {
    throw std::logic_error(fmt::format("DdrController::issue: {} at cycle {} is not legal ({})",
                                       to_string(cmd), cycle,
                                       e == kNever ? "bank state" : fmt::format("earliest {}", e)));
  }
  const int rank = t.channel * m_cfg.ranks + t.rank;
  const int bank =
      cmd == DdrCommand::kRef ? -1 : bank_index(t.channel, t.rank, t.bank_group, t.bank);
  apply(cmd, bank, rank, t.row, cycle);
  if (cmd == DdrCommand::kRd || cmd == DdrCommand::kWr) refresh_bank(bank);
  log(cycle, cmd, bank, rank, t.row, t.column, kNoRequest);
  m_now = cycle + 1;
  for (Channel& c : m_channels) c.decided = false;
}

// ---------------------------------------------------------------------------------------
// Scheduler

bool DdrController::wants_write_mode(const Channel& ch) const {
  const size_t reads = ch.q[0].size, writes = ch.q[1].size;
  if (!ch.write_mode) {
    return writes >= static_cast<size_t>(m_cfg.write_high_watermark) || (reads == 0 && writes > 0);
  }
  return !(writes == 0 || (reads > 0 && writes <= static_cast<size_t>(m_cfg.write_low_watermark)));
}

void DdrController::update_mode(Channel& ch) { ch.write_mode = wants_write_mode(ch); }

void DdrController::decide(int chi) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  update_mode(ch);
  const bool write = ch.write_mode;
  // No command can issue before this.
  const uint64_t floor = std::max(ch.cmd_free, m_now);

  // FR-FCFS: the earliest command; at equal cycles a row hit first, then the oldest request:
  // the least (cycle, tie), tie = (not a hit) << 63 | id, ids being below 2^63.
  uint64_t best_cycle = kNever, best_tie = ~uint64_t{0};
  int best_bank = -1, best_slot = -1;
  DdrCommand best_cmd = DdrCommand::kAct;
  // Per bank only one request can win (see Candidate); its cycle is no earlier than its
  // candidate's lb and the floor.
  const int base = chi << (m_rank_bits + m_bg_bits + m_ba_bits);
  const Bank* const banks = m_banks.data();
  const Rank* const ranks = m_ranks.data();
  const auto scan = [&](auto write_tag) {
    constexpr bool kWrite = decltype(write_tag)::value;
    const Queue& q = ch.q[kWrite];
    const Request* const slots = q.slots.data();
    const Candidate* const cand = q.cand.data();
    const size_t words = q.banks.size();
    for (size_t word = 0; word < words; ++word) {
      for (uint64_t bits = q.banks[word]; bits != 0; bits &= bits - 1) {
        const int local = static_cast<int>(word * 64) + __builtin_ctzll(bits);
        const Candidate& k = cand[local];
        const uint64_t lb = std::max(k.lb, floor);
        if (lb > best_cycle || (lb == best_cycle && k.tie > best_tie)) continue;
        const int bank = base + local;
        const Request& r = slots[k.slot];
        uint64_t e;
        DdrCommand cmd;
        if ((k.tie & kNotHit) == 0) {
          cmd = kWrite ? DdrCommand::kWr : DdrCommand::kRd;
          e = std::max(earliest_col(ch, bank, r.rank, r.group, kWrite), r.eligible);
        } else if (banks[bank].open_row >= 0) {
          cmd = DdrCommand::kPre;
          e = lb;  // PRE waits for nothing else
        } else {
          cmd = DdrCommand::kAct;
          const Rank& rk = ranks[r.rank];
          e = std::max(std::max(lb, m_next_act_bg[static_cast<size_t>(r.group)]),
                       rk.faw[rk.faw_pos]);
        }
        if (e >= ranks[r.rank].refresh_due) continue;
        if (e < best_cycle || (e == best_cycle && k.tie < best_tie)) {
          best_cycle = e;
          best_tie = k.tie;
          best_cmd = cmd;
          best_bank = bank;
          best_slot = k.slot;
        }
      }
    }
  };
  if (write) {
    scan(std::true_type{});
  } else {
    scan(std::false_type{});
  }
  Decision best;
  if (best_slot >= 0) {
    best = {best_cycle, best_cmd,
            best_bank,  rank_of_bank(best_bank),
            best_slot,  (best_tie & kNotHit) == 0};
  }

  // Refresh goes first at equal cycles.
  const int first_rank = chi * m_cfg.ranks;
  for (int rank = first_rank; rank < first_rank + m_cfg.ranks; ++rank) {
    const Rank& r = m_ranks[static_cast<size_t>(rank)];
    if (r.refresh_due > best.cycle) continue;
    const auto consider = [&](uint64_t e, DdrCommand cmd, int bank) {
      e = std::max(e, r.refresh_due);
      if (e < best.cycle || (e == best.cycle && best.req >= 0)) {
        best = {e, cmd, bank, rank, -1, false};
      }
    };
    if (r.open_banks == 0) {
      consider(earliest_ref(rank), DdrCommand::kRef, -1);
    } else {
      const int first = rank * m_cfg.banks_per_rank();
      for (int b = first; b < first + m_cfg.banks_per_rank(); ++b) {
        if (m_banks[static_cast<size_t>(b)].open_row >= 0) {
          consider(earliest_pre(ch, b), DdrCommand::kPre, b);
        }
      }
    }
  }
  ch.next = best;
  ch.decided = true;
}

void DdrController::execute(int chi) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  const Decision d = ch.next;
  ch.decided = false;
  const uint64_t c = d.cycle;
  if (d.req < 0) {
    apply(d.cmd, d.bank, d.rank, -1, c);
    log(c, d.cmd, d.bank, d.rank, -1, 0, kNoRequest);
    return;
  }
  Queue& q = ch.q[ch.write_mode];
  Request& r = q.slots[static_cast<size_t>(d.req)];
  switch (d.cmd) {
    case DdrCommand::kAct:
      if (r.kind == 0) r.kind = 2;
      apply(d.cmd, r.bank, r.rank, r.row, c, ch.write_mode ? 1 : 0);
      log(c, d.cmd, r.bank, r.rank, r.row, 0, r.id);
      return;
    case DdrCommand::kPre:
      if (r.kind == 0) r.kind = 3;
      log(c, d.cmd, r.bank, r.rank, m_banks[static_cast<size_t>(r.bank)].open_row, 0, r.id);
      apply(d.cmd, r.bank, r.rank, -1, c);
      return;
    default:
      break;
  }
  const bool write = d.cmd == DdrCommand::kWr;
  --m_banks[static_cast<size_t>(r.bank)].hits[write];
  --m_banks[static_cast<size_t>(r.bank)].queued[write];
  const uint64_t done = apply(d.cmd, r.bank, r.rank, r.row, c);
  log(c, d.cmd, r.bank, r.rank, r.row, r.column, r.id);
  switch (r.kind) {
    case 0:
    case 1:
      ++m_stats.row_hits;
      break;
    case 2:
      ++m_stats.row_misses;
      break;
    default:
      ++m_stats.row_conflicts;
      break;
  }
  if (write) {
    ++m_stats.writes;
    m_stats.write_latency.add(done - r.accepted);
  } else {
    ++m_stats.reads;
    m_stats.read_latency.add(done - r.accepted);
  }
  m_stats.last_done_cycle = std::max(m_stats.last_done_cycle, done);
  m_completed.push_back({r.id, done, write});
  if (m_cfg.page_policy == PagePolicy::kClosed) {
    // Auto-precharge: the bank closes at the first cycle PRE would be legal.
    Bank& b = m_banks[static_cast<size_t>(r.bank)];
    const uint64_t p = b.next_pre;
    log(p, DdrCommand::kPre, r.bank, r.rank, r.row, 0, r.id);
    close_row(r.bank);
    --m_ranks[static_cast<size_t>(r.rank)].open_banks;
    b.next_act = std::max(b.next_act, p + m_cfg.tRP);
    ++m_stats.pre;
  }
  // Unlink the request from its bank's list and free its slot.
  Bank& b = m_banks[static_cast<size_t>(r.bank)];
  if (r.prev >= 0) {
    q.slots[static_cast<size_t>(r.prev)].next = r.next;
  } else {
    b.head[write] = r.next;
  }
  if (r.next >= 0) {
    q.slots[static_cast<size_t>(r.next)].prev = r.prev;
  } else {
    b.tail[write] = r.prev;
  }
  if (b.head[write] < 0) {
    const int lb = local_bank(r.bank);
    q.banks[static_cast<size_t>(lb >> 6)] &= ~(uint64_t{1} << (lb & 63));
  }
  q.free.push_back(d.req);
  --q.size;
  --m_pending;
  refresh_bank(r.bank);
}

void DdrController::advance_to(uint64_t cycle) {
  if (cycle < m_now) return;
  for (int chi = 0; chi < m_cfg.channels; ++chi) {
    Channel& ch = m_channels[static_cast<size_t>(chi)];
    while (true) {
      if (!ch.decided) decide(chi);
      if (ch.next.cycle > cycle) break;
      const uint64_t c = ch.next.cycle;
      execute(chi);
      // The command bus is busy until c + 1: no other command by `cycle`. The next decision
      // waits until it is asked for (an enqueue before then would often void it).
      if (c >= cycle) break;
    }
  }
  m_now = cycle + 1;
}

uint64_t DdrController::next_event_cycle() {
  uint64_t e = kNever;
  for (int chi = 0; chi < m_cfg.channels; ++chi) {
    Channel& ch = m_channels[static_cast<size_t>(chi)];
    if (!ch.decided) decide(chi);
    e = std::min(e, ch.next.cycle);
  }
  return e;
}

}  // namespace skipsim
