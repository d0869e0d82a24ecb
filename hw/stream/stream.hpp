#pragma once
// valid/ready streams between the hardware blocks, and the timing convention every block
// (SystemC or Verilated RTL) follows so that co-simulation matches cycle for cycle:
//
//  * Every block acts only at the rising edge of the core clock.
//  * valid, data and last are registers of the producer; ready is a register of the
//    consumer. No block drives ready combinationally from valid.
//  * A beat transfers at a rising edge where valid and ready were both high before it.
//    Both sides see the same pre-edge values and update their state at that edge.
//  * Because ready is registered, a consumer asserts it only when it can take one more beat
//    at the next edge; to sustain one beat per cycle a consumer keeps a 2-entry skid queue.
//  * The only combinational outputs are the Fork's valids: valid_main = has_beat &&
//    ready_skip and vice versa, so a beat leaves on both branches at the same edge.
//  * `last` is high on the final beat of a tensor (frame).
#include <cstdint>
#include <string>

#include <systemc>

#include "hw/common/beat.hpp"

namespace skipsim {

// The wires of one stream, owned by the parent that connects producer and consumer.
struct Stream {
  explicit Stream(const std::string& name)
      : name(name),
        valid((name + "_valid").c_str()),
        ready((name + "_ready").c_str()),
        last((name + "_last").c_str()),
        data((name + "_data").c_str()) {}

  std::string name;
  sc_core::sc_signal<bool> valid, ready, last;
  sc_core::sc_signal<Beat> data;
  // Who drives and who takes it (block and port names), for stall and deadlock reports.
  std::string producer, producer_port, consumer, consumer_port;
};

// Consumer side of a stream.
struct StreamIn {
  explicit StreamIn(const std::string& name)
      : valid((name + "_valid").c_str()),
        ready((name + "_ready").c_str()),
        last((name + "_last").c_str()),
        data((name + "_data").c_str()) {}
  void bind(Stream& s) {
    valid.bind(s.valid);
    ready.bind(s.ready);
    last.bind(s.last);
    data.bind(s.data);
  }
  // True when a beat transfers at this edge (call from the clocked process).
  bool fire() const { return valid.read() && ready.read(); }

  sc_core::sc_in<bool> valid;
  sc_core::sc_out<bool> ready;
  sc_core::sc_in<bool> last;
  sc_core::sc_in<Beat> data;
};

// Producer side of a stream.
struct StreamOut {
  explicit StreamOut(const std::string& name)
      : valid((name + "_valid").c_str()),
        ready((name + "_ready").c_str()),
        last((name + "_last").c_str()),
        data((name + "_data").c_str()) {}
  void bind(Stream& s) {
    valid.bind(s.valid);
    ready.bind(s.ready);
    last.bind(s.last);
    data.bind(s.data);
  }
  bool fire() const { return valid.read() && ready.read(); }
  void put(const Beat& b, bool is_last) {
    data.write(b);
    last.write(is_last);
    valid.write(true);
  }
  void idle() { valid.write(false); }

  sc_core::sc_out<bool> valid;
  sc_core::sc_in<bool> ready;
  sc_core::sc_out<bool> last;
  sc_core::sc_out<Beat> data;
};

}  // namespace skipsim
