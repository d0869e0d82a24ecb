#include "hw/conv/line_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace skipsim {

LineBuffer::LineBuffer(const ConvGeometry& g, int lanes, SramBanks& sram, const std::string& name)
    : m_g(g),
      m_lanes(lanes),
      m_beats_per_pixel(beats_per_pixel(g.c, lanes)),
      m_sram(sram),
      m_cap(static_cast<uint64_t>(g.k) * g.w) {
  m_region = sram.allocate(name, m_cap * g.c);
}

uint64_t LineBuffer::first_needed(int oy, int ox) const {
  return m_frame_base + m_g.first_pixel(oy, ox);
}

uint64_t LineBuffer::last_needed(int oy, int ox) const {
  return m_frame_base + m_g.last_pixel(oy, ox);
}

bool LineBuffer::can_accept() const { return m_rx_pixel < m_oldest_needed + m_cap; }

void LineBuffer::push_beat(const Beat& b) {
  const int ch0 = m_rx_beat * m_lanes;
  const int n = std::min(m_lanes, m_g.c - ch0);
  uint8_t* base = m_sram.data(m_region) + (m_rx_pixel % m_cap) * m_g.c + ch0;
  std::copy(b.lane.begin(), b.lane.begin() + n, reinterpret_cast<int8_t*>(base));
  m_sram.count_write(m_region, n);
  if (++m_rx_beat == m_beats_per_pixel) {
    m_rx_beat = 0;
    ++m_rx_pixel;
  }
}

bool LineBuffer::window_ready(int oy, int ox) const { return m_rx_pixel > last_needed(oy, ox); }

void LineBuffer::gather(int oy, int ox, int e0, int n, int8_t* out) {
  const int8_t* mem = reinterpret_cast<const int8_t*>(m_sram.data(m_region));
  const int y0 = oy * m_g.stride - m_g.pad();
  const int x0 = ox * m_g.stride - m_g.pad();
  const int c = m_g.c, end = e0 + n;
  uint64_t fetched = 0;
  // Element e = (ky * k + kx) * C + ci: runs of channels of one window pixel are contiguous
  // both here and in the buffer.
  for (int e = e0; e < end;) {
    const int pix = e / c, ci = e % c, take = std::min(end - e, c - ci);
    const int y = y0 + pix / m_g.k, x = x0 + pix % m_g.k;
    int8_t* dst = out + (e - e0);
    if (y < 0 || y >= m_g.h || x < 0 || x >= m_g.w) {
      std::memset(dst, 0, static_cast<size_t>(take));
    } else {
      const uint64_t p = m_frame_base + static_cast<uint64_t>(y) * m_g.w + x;
      std::memcpy(dst, mem + (p % m_cap) * c + ci, static_cast<size_t>(take));
      fetched += static_cast<uint64_t>(take);
    }
    e += take;
  }
  m_sram.count_read(m_region, fetched);
}

void LineBuffer::retire(int oy, int ox) {
  const int oh = m_g.out_h(), ow = m_g.out_w();
  int ny = oy, nx = ox + 1;
  if (nx == ow) {
    nx = 0;
    ++ny;
  }
  if (ny == oh) {
    // Frame done: every pixel of it is free; the next frame starts after it.
    m_frame_base += static_cast<uint64_t>(m_g.h) * m_g.w;
    m_oldest_needed = m_frame_base;
    return;
  }
  // Later outputs of this row start further right; the next row starts at column 0.
  uint64_t oldest = first_needed(ny, nx);
  if (ny + 1 < oh) oldest = std::min(oldest, first_needed(ny + 1, 0));
  m_oldest_needed = oldest;
}

}  // namespace skipsim
