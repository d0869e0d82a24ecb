// DdrController with queue_structure per_bank: read and write transaction queues feeding
// per-bank command queues, as DRAMSim3 (and DRAMSys) structure their controllers.
//
// Per cycle c, in order: one move of a transaction into its bank's command queue (the
// oldest of the active transaction queue whose command queue has room, accepted by c - 1;
// DRAMSim3 moves at the end of c - 1); then the command (refresh first; otherwise, among the
// bank queues in round-robin order starting after the last queue that issued, the first
// with a command ready at c: its commands in queue order, the first whose next command (ACT,
// PRE, RD or WR) meets every timing rule at c). The model stays event-driven: per bank it keeps the
// earliest cycle each kind of command could issue from the bank's own timing, and jumps to the
// least cycle at which a command or a move can happen.
#include <algorithm>
#include <stdexcept>

#include "hw/dram/ddr_controller.hpp"

namespace skipsim {

bool DdrController::pb_can_accept(const Channel& ch, bool is_write) const {
  return ch.tq[is_write].size() < static_cast<size_t>(m_cfg.trans_queue_size);
}

uint64_t DdrController::pb_enqueue(const DramAddress& a, uint64_t addr, bool is_write,
                                   uint64_t cycle) {
  Channel& ch = m_channels[static_cast<size_t>(a.channel)];
  if (!pb_can_accept(ch, is_write)) {
    throw std::logic_error("DdrController::enqueue: queue full (check can_accept first)");
  }
  const uint64_t id = m_next_id++;
  const uint64_t burst = addr & ~static_cast<uint64_t>(m_cfg.burst_bytes() - 1);
  // A read of a burst with a write queued takes the write's data; a second write to it
  // replaces the queued one's data. Either is done the next cycle without a DRAM command.
  if (m_pending_wr.count(burst) != 0) {
    if (is_write) {
      ++m_stats.writes;
    } else {
      ++m_stats.reads;
      m_stats.read_latency.add(1);
    }
    m_stats.last_done_cycle = std::max(m_stats.last_done_cycle, cycle + 1);
    m_completed.push_back({id, cycle + 1, is_write});
    return id;
  }
  const int slot = ch.pool_free.back();
  ch.pool_free.pop_back();
  Request& r = ch.pool[static_cast<size_t>(slot)];
  r.id = id;
  r.accepted = cycle;
  r.eligible = cycle + kPipeline;
  r.row = a.row;
  r.bank = bank_index(a.channel, a.rank, a.bank_group, a.bank);
  r.rank = rank_of_bank(r.bank);
  r.group = group_of_bank(r.bank);
  r.column = a.column;
  r.addr = burst;
  r.write = is_write;
  r.after_read = false;
  r.prev = r.next = -1;
  r.kind = 0;
  ch.tq[is_write].push_back({slot, local_bank(r.bank)});
  ch.pick_valid = false;
  if (is_write) {
    m_pending_wr[burst] = slot;
    r.after_read = m_pending_rd.count(burst) != 0;
  } else {
    ++m_pending_rd[burst];
  }
  ++m_pending;
  if (ch.decided) pb_set_move(ch);  // the command queues are unchanged
  return id;
}

int DdrController::pb_pick_move(Channel& ch, bool commit) {
  if (!commit && ch.pick_valid) return ch.pick;
  ch.pick_valid = !commit;
  ch.pick = pb_scan_move(ch, commit);
  return ch.pick;
}

int DdrController::pb_scan_move(Channel& ch, bool commit) {
  const size_t writes = ch.tq[1].size();
  int draining = ch.draining;
  // DRAMSim3's rule, and (so that writes never wait for ever) any write once no read is
  // queued anywhere.
  if (draining == 0 && writes > 0 &&
      (writes >= static_cast<size_t>(m_cfg.trans_queue_size) ||
       (ch.cq_total == 0 &&
        (writes > static_cast<size_t>(m_cfg.write_low_watermark) || ch.tq[0].empty())))) {
    draining = static_cast<int>(writes);
  }
  if (commit) ch.draining = draining;
  std::vector<Channel::Queued>& q = ch.tq[draining > 0];
  const uint64_t* full = ch.cq_full.data();
  for (size_t i = 0; i < q.size(); ++i) {
    if (full[q[i].local >> 6] >> (q[i].local & 63) & 1) continue;
    const int slot = q[i].slot;
    const Request& r = ch.pool[static_cast<size_t>(slot)];
    if (r.write) {
      // A write waits for the reads of its burst queued before it: the drain ends. (Later
      // reads of the burst are forwarded: only a write that found reads queued can wait.)
      if (r.after_read && m_pending_rd.count(r.addr) != 0) {
        if (commit) ch.draining = 0;
        return -2;
      }
      if (commit) --ch.draining;
    }
    if (commit) q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
    return slot;
  }
  return -1;
}

int DdrController::pb_try_move(int chi, uint64_t cycle) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  ch.move_floor = std::max(ch.move_floor, cycle + 1);
  const int slot = pb_pick_move(ch, true);
  if (slot < 0) return -1;
  Request& r = ch.pool[static_cast<size_t>(slot)];
  r.eligible = std::max(r.eligible, cycle);
  const size_t bank = static_cast<size_t>(r.bank);
  cq(r.bank)[m_cq_len[bank]++] = slot;
  ++ch.cq_total;
  const int lb = local_bank(r.bank);
  ch.cq_banks[static_cast<size_t>(lb >> 6)] |= uint64_t{1} << (lb & 63);
  if (m_cq_len[bank] == m_cfg.cmd_queue_size) {
    ch.cq_full[static_cast<size_t>(lb >> 6)] |= uint64_t{1} << (lb & 63);
  }
  m_cand_stale[bank] = 1;
  return r.bank;
}

// A bank's candidates, from its command queue and its own timing: an ACT for the oldest
// command when the bank is closed; when open, the oldest read and the oldest write to the
// open row (a write not before an older read of its burst), and a PRE for the oldest command
// when it needs another row, unless a queued command hits the open row and fewer than four
// column commands have used it.
void DdrController::pb_update_bank(int bank) {
  const size_t bi = static_cast<size_t>(bank);
  m_cand_stale[bi] = 0;
  BankCand* k = &m_cand[bi * 3];
  k[0] = k[1] = k[2] = BankCand{};
  m_cand_min[bi] = kNever;
  const int n = m_cq_len[bi];
  if (n == 0) return;
  const Bank& b = m_banks[bi];
  const std::vector<Request>& pool = channel_of_bank(bank).pool;
  const int* q = cq(bank);
  const Request& r0 = pool[static_cast<size_t>(q[0])];
  if (b.open_row < 0) {
    k[0] = {std::max(r0.eligible, b.next_act), q[0], 0};
    m_cand_min[bi] = k[0].lb;
    return;
  }
  bool hit = false;
  for (int p = 0; p < n; ++p) {
    const Request& r = pool[static_cast<size_t>(q[p])];
    if (r.row != b.open_row) continue;
    hit = true;
    BankCand& c = k[1 + r.write];
    if (c.slot >= 0) continue;
    if (r.write && r.after_read) {
      bool after_read = false;
      for (int e = 0; e < p && !after_read; ++e) {
        const Request& o = pool[static_cast<size_t>(q[e])];
        after_read = !o.write && o.addr == r.addr;
      }
      if (after_read) continue;
    }
    c = {std::max(r.eligible, r.write ? b.next_wr : b.next_rd), q[p], p};
  }
  if (r0.row != b.open_row && (!hit || b.col_since_act >= 4)) {
    k[0] = {std::max(r0.eligible, b.next_pre), q[0], 0};
  }
  m_cand_min[bi] = std::min({k[0].lb, k[1].lb, k[2].lb});
}

// The bank's command at the least cycle (at equal cycles the oldest in its queue), given
// the channel's state; false when it has none before its rank's refresh.
bool DdrController::pb_bank_best(const Channel& ch, int bank, uint64_t floor, PbChoice& out) const {
  const BankCand* k = &m_cand[static_cast<size_t>(bank) * 3];
  const int any = k[0].slot >= 0 ? 0 : k[1].slot >= 0 ? 1 : 2;
  const Request& r = ch.pool[static_cast<size_t>(k[any].slot)];
  const Rank& rk = m_ranks[static_cast<size_t>(r.rank)];
  out.cycle = kNever;
  int pos = 0;
  for (int i = 0; i < 3; ++i) {
    if (k[i].slot < 0) continue;
    uint64_t e;
    DdrCommand cmd;
    if (i == 0 && m_banks[static_cast<size_t>(bank)].open_row >= 0) {
      cmd = DdrCommand::kPre;
      e = std::max(k[i].lb, floor);
    } else if (i == 0) {
      cmd = DdrCommand::kAct;
      e = std::max(
          {k[i].lb, floor, m_next_act_bg[static_cast<size_t>(r.group)], rk.faw[rk.faw_pos]});
    } else {
      cmd = i == 2 ? DdrCommand::kWr : DdrCommand::kRd;
      e = std::max(k[i].lb, earliest_col(ch, bank, r.rank, r.group, i == 2));
    }
    if (e >= rk.refresh_due) continue;  // the rank's queues wait for its refresh
    if (e < out.cycle || (e == out.cycle && k[i].pos < pos)) {
      out.cycle = e;
      out.cmd = cmd;
      out.slot = k[i].slot;
      pos = k[i].pos;
    }
  }
  return out.cycle != kNever;
}

void DdrController::pb_decide(int chi) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  const uint64_t floor = std::max(ch.cmd_free, m_now);
  const int nbits = m_rank_bits + m_bg_bits + m_ba_bits;
  const int base = chi << nbits;
  const int mask = (1 << nbits) - 1;
  PbChoice best, c;
  int best_key = 0, best_bank = -1;
  if (nbits <= 6) {
    // What the channel, rank and bank group allow, per group: ACT, RD, WR; per rank: its
    // refresh. A bank's command then waits for these and its own candidate's bound.
    const int ng = m_cfg.ranks * m_cfg.bank_groups;
    uint64_t* g_act = m_pb_scratch.data();
    uint64_t* g_rd = g_act + ng;
    uint64_t* g_wr = g_rd + ng;
    uint64_t g_done = 0;  // groups computed (on first use)
    const auto group_bounds = [&](int g) {
      const int rank = chi * m_cfg.ranks + (g >> m_bg_bits);
      const int group = chi * ng + g;
      const Rank& rk = m_ranks[static_cast<size_t>(rank)];
      g_act[g] = std::max({floor, m_next_act_bg[static_cast<size_t>(group)], rk.faw[rk.faw_pos]});
      // earliest_col less the bank's own next_rd / next_wr (in its candidates' bounds)
      g_rd[g] = earliest_col_group(ch, 0, rank, group, false);
      g_wr[g] = earliest_col_group(ch, 0, rank, group, true);
      g_done |= uint64_t{1} << g;
    };
    // Banks in round-robin order: at equal cycles the first wins, and once a command can
    // issue at `floor` none after it can do better.
    const int n = 1 << nbits;
    const int start = (ch.rr + 1) & mask;
    const uint64_t all = nbits == 6 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    const uint64_t m = ch.cq_banks[0];
    const uint64_t rot = start == 0 ? m : ((m >> start) | (m << (n - start))) & all;
    for (uint64_t bits = rot; bits != 0; bits &= bits - 1) {
      const int key = __builtin_ctzll(bits);
      const int local = (key + start) & mask;
      const int bank = base + local;
      if (m_cand_stale[static_cast<size_t>(bank)]) pb_update_bank(bank);
      if (std::max(m_cand_min[static_cast<size_t>(bank)], floor) >= best.cycle) continue;
      const BankCand* k = &m_cand[static_cast<size_t>(bank) * 3];
      const int g = local >> m_ba_bits;
      if (!(g_done >> g & 1)) group_bounds(g);
      const uint64_t due = m_ranks[static_cast<size_t>(rank_of_bank(bank))].refresh_due;
      const bool open = m_banks[static_cast<size_t>(bank)].open_row >= 0;
      uint64_t e[3] = {std::max(k[0].lb, open ? floor : g_act[g]), std::max(k[1].lb, g_rd[g]),
                       std::max(k[2].lb, g_wr[g])};
      int pick = -1;
      for (int i = 0; i < 3; ++i) {
        if (e[i] >= due || e[i] >= best.cycle) continue;
        if (pick < 0 || e[i] < e[pick] || (e[i] == e[pick] && k[i].pos < k[pick].pos)) pick = i;
      }
      if (pick < 0) continue;
      best.cycle = e[pick];
      best.slot = k[pick].slot;
      best.cmd = pick == 0   ? (open ? DdrCommand::kPre : DdrCommand::kAct)
                 : pick == 1 ? DdrCommand::kRd
                             : DdrCommand::kWr;
      best_key = key;
      best_bank = bank;
      if (best.cycle == floor) break;
    }
  }
  for (size_t word = 0; word < ch.cq_banks.size() && nbits > 6; ++word) {
    for (uint64_t bits = ch.cq_banks[word]; bits != 0; bits &= bits - 1) {
      const int local = static_cast<int>(word * 64) + __builtin_ctzll(bits);
      const int bank = base + local;
      if (m_cand_stale[static_cast<size_t>(bank)]) pb_update_bank(bank);
      const BankCand* k = &m_cand[static_cast<size_t>(bank) * 3];
      const int key = (local - ch.rr - 1) & mask;  // round-robin order after the last served
      const uint64_t least = std::max(std::min({k[0].lb, k[1].lb, k[2].lb}), floor);
      if (least > best.cycle || (least == best.cycle && key > best_key)) continue;
      if (!pb_bank_best(ch, bank, floor, c)) continue;
      if (c.cycle < best.cycle || (c.cycle == best.cycle && key < best_key)) {
        best = c;
        best_key = key;
        best_bank = bank;
      }
    }
  }
  Decision d;
  if (best_bank >= 0) {
    d = {best.cycle, best.cmd,
         best_bank,  rank_of_bank(best_bank),
         best.slot,  best.cmd == DdrCommand::kRd || best.cmd == DdrCommand::kWr};
  }
  consider_refresh(chi, d);
  ch.next = d;
  ch.cmd_at = d.cycle;
  ch.cmd_key = best_key;
  pb_set_move(ch);
  ch.decided = true;
}

// The next move's cycle, and the next event's. A move at x happens before x's command (after
// x - 1's); its request arrived by x - 1.
void DdrController::pb_set_move(Channel& ch) {
  const int move = pb_pick_move(ch, false);
  ch.move_at = move == -1 ? kNever : std::max(m_now, ch.move_floor);
  if (move >= 0) {
    ch.move_at = std::max(ch.move_at, ch.pool[static_cast<size_t>(move)].accepted + 1);
  }
  ch.next.cycle = std::min(ch.cmd_at, ch.move_at);
}

// After a move into `bank`, whose other candidates are unchanged unless it is the chosen
// command's bank (a new row hit can forbid its PRE): only that bank can take the decision.
void DdrController::pb_after_move(int chi, int bank) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  if (!ch.decided || (ch.next.req >= 0 && ch.next.bank == bank)) {
    ch.decided = false;
    return;
  }
  pb_update_bank(bank);
  PbChoice c;
  const int nbits = m_rank_bits + m_bg_bits + m_ba_bits;
  const int key = (local_bank(bank) - ch.rr - 1) & ((1 << nbits) - 1);
  if (pb_bank_best(ch, bank, std::max(ch.cmd_free, m_now), c) &&
      (c.cycle < ch.cmd_at || (c.cycle == ch.cmd_at && ch.next.req >= 0 && key < ch.cmd_key))) {
    ch.next = {c.cycle, c.cmd,
               bank,    rank_of_bank(bank),
               c.slot,  c.cmd == DdrCommand::kRd || c.cmd == DdrCommand::kWr};
    ch.cmd_at = c.cycle;
    ch.cmd_key = key;
  }
  pb_set_move(ch);
}

void DdrController::pb_issue_column(Channel& ch, int bank, int pos, uint64_t c) {
  const size_t bi = static_cast<size_t>(bank);
  int* q = cq(bank);
  const int slot = q[pos];
  Request& r = ch.pool[static_cast<size_t>(slot)];
  const bool write = r.write;
  const uint64_t done = apply(write ? DdrCommand::kWr : DdrCommand::kRd, bank, r.rank, r.row, c);
  ++m_banks[bi].col_since_act;
  log(c, write ? DdrCommand::kWr : DdrCommand::kRd, bank, r.rank, r.row, r.column, r.id);
  finish_column(r, write, done);
  std::copy(q + pos + 1, q + m_cq_len[bi], q + pos);
  const int lb = local_bank(bank);
  ch.cq_full[static_cast<size_t>(lb >> 6)] &= ~(uint64_t{1} << (lb & 63));
  if (--m_cq_len[bi] == 0) {
    ch.cq_banks[static_cast<size_t>(lb >> 6)] &= ~(uint64_t{1} << (lb & 63));
  }
  --ch.cq_total;
  ch.pick_valid = false;
  if (write) {
    const auto it = m_pending_wr.find(r.addr);
    if (it != m_pending_wr.end() && it->second == slot) m_pending_wr.erase(it);
  } else {
    const auto it = m_pending_rd.find(r.addr);
    if (it != m_pending_rd.end() && --it->second == 0) m_pending_rd.erase(it);
  }
  ch.pool_free.push_back(slot);
  --m_pending;
  m_cand_stale[bi] = 1;
}

void DdrController::pb_execute(int chi) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  const Decision d = ch.next;
  ch.decided = false;
  const uint64_t c = d.cycle;
  if (ch.move_at == c) {
    ch.next = d;
    ch.decided = true;
    const int bank = pb_try_move(chi, c);
    if (bank >= 0) {
      pb_after_move(chi, bank);
    } else {
      pb_set_move(ch);
    }
    return;
  }
  ch.move_floor = std::max(ch.move_floor, c + 1);  // c's move came before its command
  {
    if (d.req < 0) {
      apply(d.cmd, d.bank, d.rank, -1, c);
      log(c, d.cmd, d.bank, d.rank, -1, 0, kNoRequest);
    } else {
      Request& r = ch.pool[static_cast<size_t>(d.req)];
      ch.rr = local_bank(d.bank);
      if (d.cmd == DdrCommand::kAct) {
        if (r.kind == 0) r.kind = 2;
        apply(d.cmd, r.bank, r.rank, r.row, c);
        log(c, d.cmd, r.bank, r.rank, r.row, 0, r.id);
      } else if (d.cmd == DdrCommand::kPre) {
        if (r.kind == 0) r.kind = 3;
        log(c, d.cmd, r.bank, r.rank, m_banks[static_cast<size_t>(r.bank)].open_row, 0, r.id);
        apply(d.cmd, r.bank, r.rank, -1, c);
      } else {
        const int* q = cq(d.bank);
        int pos = 0;
        while (q[pos] != d.req) ++pos;
        pb_issue_column(ch, d.bank, pos, c);
      }
    }
  }
}

}  // namespace skipsim
