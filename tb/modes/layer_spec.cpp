// Layer mode's inputs: SCALE-Sim's topology CSV and the --layer KEY=VALUE lists.
#include "tb/modes/layer_mode.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hw/common/errors.hpp"

namespace skipsim {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

// A positive decimal integer that fits an int, or nothing.
bool parse_positive(const std::string& s, int* v) {
  if (s.empty() || s.size() > 9) return false;
  for (char ch : s)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  *v = std::stoi(s);
  return *v > 0;
}

const char* const kCsvColumns[] = {"Layer name",   "IFMAP Height", "IFMAP Width", "Filter Height",
                                   "Filter Width", "Channels",     "Num Filter",  "Strides"};

}  // namespace

std::vector<LayerSpec> parse_topology_csv(const std::string& text, const std::string& source) {
  std::vector<LayerSpec> layers;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  bool header_seen = false;
  const int ncols = static_cast<int>(std::size(kCsvColumns));
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    std::vector<std::string> cells = split(line, ',');
    for (auto& c : cells) c = trim(c);
    while (!cells.empty() && cells.back().empty()) cells.pop_back();
    const std::string where = fmt::format("{}:{}", source, lineno);
    if (!header_seen) {
      for (int i = 0; i < ncols; ++i) {
        const std::string got = i < static_cast<int>(cells.size()) ? cells[i] : "";
        if (lower(got) != lower(kCsvColumns[i]))
          throw InputError(fmt::format("{}: column {}: expected header '{}', got '{}'", where,
                                       i + 1, kCsvColumns[i], got));
      }
      if (static_cast<int>(cells.size()) > ncols)
        throw InputError(
            fmt::format("{}: column {}: unexpected header '{}' (the format has {} "
                        "columns)",
                        where, ncols + 1, cells[ncols], ncols));
      header_seen = true;
      continue;
    }
    if (static_cast<int>(cells.size()) < ncols)
      throw InputError(fmt::format("{}: column '{}': missing (a layer needs {} values)", where,
                                   kCsvColumns[cells.size()], ncols));
    if (static_cast<int>(cells.size()) > ncols)
      throw InputError(fmt::format("{}: column {}: unexpected value '{}' after '{}'", where,
                                   ncols + 1, cells[ncols], kCsvColumns[ncols - 1]));
    LayerSpec l;
    l.name = cells[0];
    if (l.name.empty())
      throw InputError(fmt::format("{}: column '{}': empty", where, kCsvColumns[0]));
    int* fields[] = {&l.ifmap_h,  &l.ifmap_w,     &l.filter_h, &l.filter_w,
                     &l.channels, &l.num_filters, &l.stride};
    for (int i = 1; i < ncols; ++i)
      if (!parse_positive(cells[i], fields[i - 1]))
        throw InputError(fmt::format("{}: column '{}': expected a positive integer, got '{}'",
                                     where, kCsvColumns[i], cells[i]));
    l.where = where;
    layers.push_back(l);
  }
  if (!header_seen) throw InputError(fmt::format("{}: empty topology (no header)", source));
  if (layers.empty()) throw InputError(fmt::format("{}: no layers after the header", source));
  return layers;
}

std::vector<LayerSpec> read_topology_csv(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw InputError(fmt::format("cannot read topology '{}'", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_topology_csv(ss.str(), path);
}

LayerSpec parse_layer_arg(const std::string& arg, const std::string& default_name) {
  LayerSpec l;
  l.name = default_name;
  bool has_w = false, has_kw = false, has_stride = false;
  bool has_h = false, has_kh = false, has_c = false, has_n = false, has_pad = false;
  bool has_name = false;
  for (const std::string& raw : split(arg, ',')) {
    const std::string kv = trim(raw);
    if (kv.empty()) continue;
    const size_t eq = kv.find('=');
    if (eq == std::string::npos)
      throw InputError(fmt::format("--layer '{}': expected KEY=VALUE, got '{}'", arg, kv));
    const std::string key = trim(kv.substr(0, eq)), val = trim(kv.substr(eq + 1));
    const auto once = [&](bool* seen) {
      if (*seen)
        throw InputError(
            fmt::format("--layer '{}': key '{}' given twice; give each key once", arg, key));
      *seen = true;
    };
    if (key == "name") {
      once(&has_name);
      if (val.empty()) throw InputError(fmt::format("--layer '{}': name: empty", arg));
      l.name = val;
      continue;
    }
    struct Field {
      const char* key;
      int* v;
      bool* seen;
    };
    const Field fields[] = {{"h", &l.ifmap_h, &has_h},          {"w", &l.ifmap_w, &has_w},
                            {"kh", &l.filter_h, &has_kh},       {"kw", &l.filter_w, &has_kw},
                            {"c", &l.channels, &has_c},         {"n", &l.num_filters, &has_n},
                            {"stride", &l.stride, &has_stride}, {"pad", &l.pad, &has_pad}};
    bool found = false;
    for (const Field& f : fields) {
      if (key != f.key) continue;
      once(f.seen);
      if (f.v == &l.pad) {
        if (!(val == "0" || parse_positive(val, f.v)))
          throw InputError(fmt::format(
              "--layer '{}': pad: expected a non-negative integer, got '{}'", arg, val));
        if (val == "0") l.pad = 0;
        *f.seen = found = true;
        continue;
      }
      if (!parse_positive(val, f.v))
        throw InputError(
            fmt::format("--layer '{}': {}: expected a positive integer, got '{}'", arg, key, val));
      *f.seen = found = true;
    }
    if (!found)
      throw InputError(fmt::format(
          "--layer '{}': unknown key '{}' (allowed: name, h, w, kh, kw, c, n, stride, pad)", arg,
          key));
  }
  const std::pair<bool, const char*> required[] = {
      {has_h, "h"}, {has_kh, "kh"}, {has_c, "c"}, {has_n, "n"}};
  for (const auto& [seen, key] : required)
    if (!seen) throw InputError(fmt::format("--layer '{}': missing key '{}'", arg, key));
  if (!has_w) l.ifmap_w = l.ifmap_h;
  if (!has_kw) l.filter_w = l.filter_h;
  l.where = "--layer '" + arg + "'";
  return l;
}

}  // namespace skipsim
