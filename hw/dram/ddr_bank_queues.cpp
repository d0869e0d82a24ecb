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
  r.prev = r.next = -1;
  r.kind = 0;
  ch.tq[is_write].push_back(slot);
  if (is_write) {
    m_pending_wr[burst] = slot;
  } else {
    ++m_pending_rd[burst];
  }
  ++m_pending;
  ch.decided = false;
  return id;
}

int DdrController::pb_pick_move(Channel& ch, bool commit) {
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
  std::vector<int>& q = ch.tq[draining > 0];
  for (size_t i = 0; i < q.size(); ++i) {
    const int slot = q[i];
    const Request& r = ch.pool[static_cast<size_t>(slot)];
    if (m_cq_len[static_cast<size_t>(r.bank)] >= m_cfg.cmd_queue_size) continue;
    if (r.write) {
      // A write waits for the reads of its burst queued before it: the drain ends.
      if (m_pending_rd.count(r.addr) != 0) {
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

void DdrController::pb_try_move(int chi, uint64_t cycle) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  ch.move_floor = std::max(ch.move_floor, cycle + 1);
  const int slot = pb_pick_move(ch, true);
  if (slot < 0) return;
  Request& r = ch.pool[static_cast<size_t>(slot)];
  r.eligible = std::max(r.eligible, cycle);
  const size_t bank = static_cast<size_t>(r.bank);
  cq(r.bank)[m_cq_len[bank]++] = slot;
  ++ch.cq_total;
  const int lb = local_bank(r.bank);
  ch.cq_banks[static_cast<size_t>(lb >> 6)] |= uint64_t{1} << (lb & 63);
  m_cand_stale[bank] = 1;
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
  const int n = m_cq_len[bi];
  if (n == 0) return;
  const Bank& b = m_banks[bi];
  const std::vector<Request>& pool = channel_of_bank(bank).pool;
  const int* q = cq(bank);
  const Request& r0 = pool[static_cast<size_t>(q[0])];
  if (b.open_row < 0) {
    k[0] = {std::max(r0.eligible, b.next_act), q[0], 0};
    return;
  }
  bool hit = false;
  for (int p = 0; p < n; ++p) {
    const Request& r = pool[static_cast<size_t>(q[p])];
    if (r.row != b.open_row) continue;
    hit = true;
    BankCand& c = k[1 + r.write];
    if (c.slot >= 0) continue;
    if (r.write) {
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
}

void DdrController::pb_decide(int chi) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  const uint64_t floor = std::max(ch.cmd_free, m_now);
  const int nbits = m_rank_bits + m_bg_bits + m_ba_bits;
  const int base = chi << nbits;
  const int mask = (1 << nbits) - 1;
  uint64_t best_cycle = kNever;
  int best_key = 0, best_bank = -1, best_slot = -1;
  DdrCommand best_cmd = DdrCommand::kAct;
  for (size_t word = 0; word < ch.cq_banks.size(); ++word) {
    for (uint64_t bits = ch.cq_banks[word]; bits != 0; bits &= bits - 1) {
      const int local = static_cast<int>(word * 64) + __builtin_ctzll(bits);
      const int bank = base + local;
      if (m_cand_stale[static_cast<size_t>(bank)]) pb_update_bank(bank);
      const BankCand* k = &m_cand[static_cast<size_t>(bank) * 3];
      const int key = (local - ch.rr - 1) & mask;  // round-robin order after the last served
      const uint64_t least = std::max(std::min({k[0].lb, k[1].lb, k[2].lb}), floor);
      if (least > best_cycle || (least == best_cycle && key > best_key)) continue;
      const Request& r = ch.pool[static_cast<size_t>(k[k[0].slot >= 0   ? 0
                                                       : k[1].slot >= 0 ? 1
                                                                        : 2]
                                                         .slot)];
      const Rank& rk = m_ranks[static_cast<size_t>(r.rank)];
      uint64_t be = kNever;
      int bpos = 0, bslot = -1;
      DdrCommand bcmd = DdrCommand::kAct;
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
        if (e < be || (e == be && k[i].pos < bpos)) {
          be = e;
          bpos = k[i].pos;
          bslot = k[i].slot;
          bcmd = cmd;
        }
      }
      if (bslot < 0) continue;
      if (be < best_cycle || (be == best_cycle && key < best_key)) {
        best_cycle = be;
        best_key = key;
        best_bank = bank;
        best_slot = bslot;
        best_cmd = bcmd;
      }
    }
  }
  Decision best;
  if (best_slot >= 0) {
    best = {best_cycle, best_cmd,
            best_bank,  rank_of_bank(best_bank),
            best_slot,  best_cmd == DdrCommand::kRd || best_cmd == DdrCommand::kWr};
  }
  consider_refresh(chi, best);
  ch.cmd_at = best.cycle;
  // A move at x happens before x's command (after x - 1's), its request arrived by x - 1.
  const int move = pb_pick_move(ch, false);
  ch.move_at = move == -1 ? kNever : std::max(m_now, ch.move_floor);
  if (move >= 0) {
    ch.move_at = std::max(ch.move_at, ch.pool[static_cast<size_t>(move)].accepted + 1);
  }
  best.cycle = std::min(ch.cmd_at, ch.move_at);
  ch.next = best;
  ch.decided = true;
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
  if (--m_cq_len[bi] == 0) {
    const int lb = local_bank(bank);
    ch.cq_banks[static_cast<size_t>(lb >> 6)] &= ~(uint64_t{1} << (lb & 63));
  }
  --ch.cq_total;
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
    pb_try_move(chi, c);  // the command at c, if any, is decided again
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
