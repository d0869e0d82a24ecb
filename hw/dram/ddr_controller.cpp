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
  const size_t words =
      (static_cast<size_t>(cfg.ranks) * static_cast<size_t>(cfg.banks_per_rank()) + 63) / 64;
  for (Channel& c : m_channels) {
    for (int w = 0; w < 2; ++w) {
      Queue& q = c.q[w];
      const int n = w ? cfg.write_queue : cfg.read_queue;
      q.slots.resize(static_cast<size_t>(n));
      for (int i = n - 1; i >= 0; --i) q.free.push_back(i);
      q.banks.assign(words, 0);
      q.cand.resize(static_cast<size_t>(cfg.ranks) * static_cast<size_t>(cfg.banks_per_rank()));
    }
  }
  m_ranks.resize(static_cast<size_t>(cfg.channels) * static_cast<size_t>(cfg.ranks));
  for (size_t i = 0; i < m_ranks.size(); ++i) {
    const auto r = static_cast<uint64_t>(i % static_cast<size_t>(cfg.ranks));
    // Staggered: one rank every tREFI / ranks, the first due a cycle before (DRAMSim3's
    // cycle 0 comes a cycle before the first at which a request can be accepted).
    m_ranks[i].refresh_due = cfg.refresh == RefreshPolicy::kStaggered
                                 ? (r + 1) * static_cast<uint64_t>(cfg.tREFI / cfg.ranks) - 1
                                 : static_cast<uint64_t>(cfg.tREFI);
  }
  if (cfg.queue_structure == QueueStructure::kPerBank) {
    m_per_bank = true;
    const size_t banks = static_cast<size_t>(cfg.ranks) * static_cast<size_t>(cfg.banks_per_rank());
    const size_t cmd = static_cast<size_t>(cfg.cmd_queue_size);
    for (Channel& c : m_channels) {
      const size_t n = 2 * static_cast<size_t>(cfg.trans_queue_size) + banks * cmd;
      c.pool.resize(n);
      for (size_t i = n; i-- > 0;) c.pool_free.push_back(static_cast<int>(i));
      for (auto& q : c.tq) q.reserve(static_cast<size_t>(cfg.trans_queue_size));
      c.cq_banks.assign(words, 0);
      c.cq_full.assign(words, 0);
    }
    m_cq.assign(static_cast<size_t>(cfg.total_banks()) * cmd, -1);
    m_cq_len.assign(static_cast<size_t>(cfg.total_banks()), 0);
    m_cand.resize(static_cast<size_t>(cfg.total_banks()) * 3);
    m_cand_min.assign(static_cast<size_t>(cfg.total_banks()), kNever);
    m_cand_stale.assign(static_cast<size_t>(cfg.total_banks()), 1);
    m_pb_scratch.assign(3 * static_cast<size_t>(cfg.ranks * cfg.bank_groups), 0);
  }
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
  if (m_per_bank) return pb_can_accept(c, is_write);
  return is_write ? c.q[1].size < static_cast<size_t>(m_cfg.write_queue)
                  : c.q[0].size < static_cast<size_t>(m_cfg.read_queue);
}

uint64_t DdrController::enqueue(uint64_t addr, bool is_write, uint64_t cycle) {
  const DramAddress a = m_map.decode(addr);
  if (m_per_bank) return pb_enqueue(a, addr, is_write, cycle);
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
  b.col_since_act = 0;
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
      r.last_ref = c;
      ++m_stats.ref;
      for (int b = first; b < first + m_cfg.banks_per_rank(); ++b) refresh_bank(b);
      if (m_per_bank) {
        std::fill_n(m_cand_stale.begin() + first, m_cfg.banks_per_rank(), uint8_t{1});
      }
      return done;
    }
  }
  // A column command changes its queue too: its caller refreshes the bank then.
  if (cmd == DdrCommand::kAct || cmd == DdrCommand::kPre) refresh_bank(bank);
  if (m_per_bank) m_cand_stale[static_cast<size_t>(bank)] = 1;
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

void DdrController::advance_to(uint64_t cycle) {
  if (cycle < m_now) return;
  for (int chi = 0; chi < m_cfg.channels; ++chi) {
    Channel& ch = m_channels[static_cast<size_t>(chi)];
    while (true) {
      if (m_idle_skip && !m_log_on) skip_idle_rounds(chi, cycle);
      if (!ch.decided) m_per_bank ? pb_decide(chi) : decide(chi);
      if (ch.next.cycle > cycle) break;
      const uint64_t c = ch.next.cycle;
      m_per_bank ? pb_execute(chi) : execute(chi);
      // The command bus is busy until c + 1: no other command by `cycle`. The next decision
      // waits until it is asked for (an enqueue before then would often void it). (per_bank:
      // a move at c may precede a command at c.)
      if (c >= cycle && !m_per_bank) break;
    }
  }
  m_now = cycle + 1;
}

uint64_t DdrController::next_event_cycle() {
  uint64_t e = kNever;
  for (int chi = 0; chi < m_cfg.channels; ++chi) {
    Channel& ch = m_channels[static_cast<size_t>(chi)];
    if (!ch.decided) m_per_bank ? pb_decide(chi) : decide(chi);
    e = std::min(e, ch.next.cycle);
  }
  return e;
}

}  // namespace skipsim
