#include "tb/top/cosim_twin.hpp"

#include <algorithm>
#include <deque>
#include <utility>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/top/block_factory.hpp"

namespace skipsim {

namespace {
// Transactions mode: feeds the twin's input with the beats the pipeline's block took, in
// order, whenever the twin is ready for them (its ready may differ from the block's). With
// nothing queued the pipeline's beat passes straight through, in the same cycle.
class Replay : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Replay);
  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_signal<bool> valid{"valid"}, ready{"ready"}, last{"last"};
  sc_core::sc_signal<Beat> data{"data"};

  Replay(sc_core::sc_module_name name, const Stream& s) : sc_module(name), m_s(s) {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(drive);
    sensitive << s.valid << s.ready << s.data << s.last << m_changed;
  }

 private:
  void on_clock() {
    if (m_s.valid.read() && m_s.ready.read()) m_queue.push_back({m_s.data.read(), m_s.last.read()});
    if (valid.read() && ready.read() && !m_queue.empty()) m_queue.pop_front();
    m_changed.notify(sc_core::SC_ZERO_TIME);
  }
  void drive() {
    if (m_queue.empty()) {
      valid.write(m_s.valid.read() && m_s.ready.read());
      data.write(m_s.data.read());
      last.write(m_s.last.read());
    } else {
      valid.write(true);
      data.write(m_queue.front().first);
      last.write(m_queue.front().second);
    }
  }

  const Stream& m_s;
  std::deque<std::pair<Beat, bool>> m_queue;
  sc_core::sc_event m_changed;
};

// Transactions mode: the ready the twin's output sees. The pipeline's consumer takes the
// RTL's k-th beat once it has taken the SystemC block's k-th, or when it is ready now; so
// the latency difference is the RTL's own, not the consumer's next free slot.
class Credit : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Credit);
  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_signal<bool> ready{"ready"};

  Credit(sc_core::sc_module_name name, const Stream& s, const sc_core::sc_signal<bool>& rtl_valid)
      : sc_module(name), m_s(s), m_valid(rtl_valid) {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(drive);
    sensitive << s.ready << m_changed;
  }

 private:
  void on_clock() {
    m_systemc += m_s.valid.read() && m_s.ready.read();
    m_rtl += m_valid.read() && ready.read();
    m_changed.notify(sc_core::SC_ZERO_TIME);
  }
  void drive() { ready.write(m_rtl < m_systemc || m_s.ready.read()); }

  const Stream& m_s;
  const sc_core::sc_signal<bool>& m_valid;
  uint64_t m_systemc = 0, m_rtl = 0;
  sc_core::sc_event m_changed;
};
}  // namespace

CosimTwin::CosimTwin(const CosimOptions& opt, const Config& cfg, const AddConfig& add,
                     const Streams& streams, ClockSignal& clk)
    : m_module(opt.module), m_clk(&clk) {
  const std::string& m = opt.module;
  const int lanes = cfg.hardware.stream.lanes;
  const bool codec = m == "compressor" || m == "decompressor";
  if (m != "skip_fifo" && m != "fork" && m != "add" && !codec)
    throw InputError(fmt::format(
        "--cosim: unknown block '{}' (allowed: skip_fifo, fork, add, compressor, decompressor)",
        m));
  const bool rtl_in_pipeline = (m == "skip_fifo" && cfg.hardware.skip_fifo.impl == Impl::kRtl) ||
                               (m == "fork" && cfg.hardware.fork.impl == Impl::kRtl) ||
                               (m == "add" && cfg.hardware.add.impl == Impl::kRtl) ||
                               (codec && cfg.hardware.skip_codec.impl == Impl::kRtl);
  if (rtl_in_pipeline)
    throw InputError(fmt::format(
        "--cosim {0}: compares the SystemC {0} with its RTL; leave hardware.{1}.impl at systemc", m,
        codec ? "skip_codec" : m));
  // The RTL skip FIFO holds beats of the stream's lanes, not the codec's words.
  if (m == "skip_fifo" && cfg.hardware.skip_fifo.compression != SkipCompression::kNone)
    throw InputError(
        "--cosim skip_fifo: with hardware.skip_fifo.compression the FIFO holds compressed words, "
        "which the RTL skip FIFO does not model; compare compressor or decompressor, or set "
        "compression: none");
  if (codec && cfg.hardware.skip_fifo.compression != SkipCompression::kZvc)
    throw InputError(fmt::format(
        "--cosim {}: the design has no skip codec; set hardware.skip_fifo.compression: zvc", m));
  // The twin would block where the SystemC FIFO spills: every such cycle a false mismatch.
  if (m == "skip_fifo" && cfg.hardware.skip_fifo.policy == SkipPolicy::kSpill)
    throw InputError(
        "--cosim skip_fifo: hardware.skip_fifo.policy is spill, which the RTL skip FIFO does not "
        "model (it has no DRAM port); compare with policy: block, or drop --cosim");
  const int word = cfg.hardware.sram.width_bytes;
  // The compressed words are shown whole.
  m_lockstep = std::make_unique<Lockstep>("lockstep", m, codec ? std::max(lanes, word) : lanes,
                                          opt.compare, opt.keep_going);
  m_lockstep->clk.bind(clk);
  if (m == "skip_fifo") {
    const uint64_t depth = cfg.hardware.skip_fifo.depth;
    std::unique_ptr<SkipFifoBase> f = opt.skip_fifo_rtl
                                          ? opt.skip_fifo_rtl("skip_fifo_rtl", depth)
                                          : make_skip_fifo_twin("skip_fifo_rtl", depth, lanes);
    f->clk.bind(clk);
    twin_in(f->in, streams.named(streams.skip_in), "in");
    twin_out(f->out, streams.named("skip_out"), "out");
    m_twin = std::move(f);
  } else if (m == "fork") {
    auto f = make_fork_twin("fork_rtl", lanes);
    f->clk.bind(clk);
    twin_in(f->in, streams.named("input"), "in");
    twin_out(f->main, streams.named("fork_main"), "main");
    twin_out(f->skip, streams.named("fork_skip"), "skip");
    m_twin = std::move(f);
  } else if (m == "compressor") {
    auto c = opt.compressor_rtl ? opt.compressor_rtl("compressor_rtl", lanes, word)
                                : make_skip_compressor_twin("compressor_rtl", lanes, word);
    c->clk.bind(clk);
    twin_in(c->in, streams.named(streams.skip_in), "in");
    twin_out(c->out, streams.named("skip_packed"), "out");
    m_twin = std::move(c);
  } else if (m == "decompressor") {
    auto d = make_skip_decompressor_twin("decompressor_rtl", lanes, word, streams.skip_frame_beats);
    d->clk.bind(clk);
    twin_in(d->in, streams.named("skip_out_packed"), "in");
    twin_out(d->out, streams.named("skip_out"), "out");
    m_twin = std::move(d);
  } else {
    auto f = make_add_twin("add_rtl", add);
    f->clk.bind(clk);
    twin_in(f->main, streams.named(streams.main_out), "main");
    twin_in(f->skip, streams.named("skip_out"), "skip");
    twin_out(f->out, streams.named("output"), "out");
    m_twin = std::move(f);
  }
}

CosimTwin::~CosimTwin() = default;

sc_core::sc_signal<bool>& CosimTwin::shadow_bool(const std::string& name) {
  m_bools.push_back(std::make_unique<sc_core::sc_signal<bool>>(("rtl_" + name).c_str()));
  return *m_bools.back();
}

sc_core::sc_signal<Beat>& CosimTwin::shadow_beat(const std::string& name) {
  m_beats.push_back(std::make_unique<sc_core::sc_signal<Beat>>(("rtl_" + name).c_str()));
  return *m_beats.back();
}

// An input port of the twin reads the pipeline's stream; its ready goes to a shadow.
void CosimTwin::twin_in(StreamIn& p, Stream& s, const std::string& pin) {
  if (m_lockstep->mode() == CosimCompare::kTransactions) {
    auto r = std::make_unique<Replay>(("replay_" + pin).c_str(), s);
    r->clk.bind(*m_clk);
    p.valid.bind(r->valid);
    p.data.bind(r->data);
    p.last.bind(r->last);
    p.ready.bind(r->ready);
    m_replays.push_back(std::move(r));
    return;
  }
  p.valid.bind(s.valid);
  p.data.bind(s.data);
  p.last.bind(s.last);
  sc_core::sc_signal<bool>& r = shadow_bool(pin + "_ready");
  p.ready.bind(r);
  m_lockstep->add_pin(pin + "_ready", s.ready, r);
}

void CosimTwin::twin_out(StreamOut& p, Stream& s, const std::string& pin) {
  sc_core::sc_signal<bool>& v = shadow_bool(pin + "_valid");
  sc_core::sc_signal<bool>& l = shadow_bool(pin + "_last");
  sc_core::sc_signal<Beat>& d = shadow_beat(pin + "_data");
  p.valid.bind(v);
  p.last.bind(l);
  p.data.bind(d);
  if (m_lockstep->mode() == CosimCompare::kTransactions) {
    auto c = std::make_unique<Credit>(("credit_" + pin).c_str(), s, v);
    c->clk.bind(*m_clk);
    p.ready.bind(c->ready);
    m_lockstep->add_port(pin, {&s.valid, &s.ready, &s.data, &s.last}, {&v, &c->ready, &d, &l});
    m_replays.push_back(std::move(c));
    return;
  }
  p.ready.bind(s.ready);
  m_lockstep->add_pin(pin + "_valid", s.valid, v);
  m_lockstep->add_pin(pin + "_last", s.last, l);
  m_lockstep->add_data(pin + "_data", s.data, d);
}

}  // namespace skipsim
