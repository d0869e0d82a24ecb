// Trace mode end to end (through run_dram_trace): idle latencies from a trace, the CSV,
// back-pressure, the accepted line formats and the errors for malformed lines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hw/common/errors.hpp"
#include "tb/modes/dram_trace.hpp"

using namespace skipsim;

namespace {

namespace fs = std::filesystem;

const std::string kPreset = std::string(SKIPSIM_SOURCE_DIR) + "/configs/dram/ddr4_3200.yaml";

class DramTrace : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("skipsim_dram_trace_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = m_dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
  nlohmann::json run_json(const std::string& trace, const std::string& csv = "",
                          const std::string& config = kPreset) {
    std::ostringstream out;
    EXPECT_EQ(run_dram_trace(config, trace, csv, true, out), 0);
    return nlohmann::json::parse(out.str());
  }
  // Rows of a CSV file, split on commas (header included).
  static std::vector<std::vector<std::string>> read_csv(const std::string& path) {
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> cells;
      std::stringstream ss(line);
      for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
      rows.push_back(cells);
    }
    return rows;
  }
  std::string error_of(const std::string& trace_text) {
    const std::string trace = write("bad.trace", trace_text);
    std::ostringstream out;
    try {
      run_dram_trace(kPreset, trace, "", true, out);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }

  fs::path m_dir;
};

TEST_F(DramTrace, IdleLatenciesRowMissHitConflict) {
  // Default map ro-ra-ba-co-bg-ch: row bits start at bit 18; 0x40000 is the next row of the
  // same bank.
  const std::string trace = write("t.trace",
                                  "0x0 READ 0\n"
                                  "0x100 READ 1000\n"
                                  "0x40000 READ 2000\n");
  const std::string csv = (m_dir / "t.csv").string();
  const nlohmann::json j = run_json(trace, csv);
  EXPECT_DOUBLE_EQ(j["avg_read_latency"].get<double>(), (49 + 27 + 71) / 3.0);
  EXPECT_EQ(j["total_cycles"].get<uint64_t>(), 2071u);
  EXPECT_DOUBLE_EQ(j["row_hit_rate"].get<double>(), 1.0 / 3);
  EXPECT_TRUE(j.contains("bandwidth_gbps"));
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"idx", "addr", "is_write", "arrival", "accepted", "done"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"0", "0x0", "0", "0", "0", "49"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"1", "0x100", "0", "1000", "1000", "1027"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"2", "0x40000", "0", "2000", "2000", "2071"}));
}

TEST_F(DramTrace, FullQueueDelaysAcceptance) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "0x" + std::to_string(i * 1000) + "00 WRITE 0\n";
  const std::string csv = (m_dir / "t.csv").string();
  const nlohmann::json j = run_json(write("t.trace", text), csv);
  EXPECT_EQ(j["writes"].get<uint64_t>(), 100u);
  const auto rows = read_csv(csv);
  ASSERT_EQ(rows.size(), 101u);
  uint64_t prev = 0, late = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const uint64_t accepted = std::stoull(rows[i][4]);
    EXPECT_GE(accepted, prev);  // accepted in trace order
    EXPECT_GT(std::stoull(rows[i][5]), accepted);
    prev = accepted;
    late += accepted > 0;
  }
  EXPECT_EQ(late, 100u - 32);  // the write queue holds 32
}

// With per_bank queues the controller takes one request a cycle (DRAMSim3's front end);
// the read_write structure takes all requests of a cycle while its queues have room.
TEST_F(DramTrace, PerBankAcceptsOneRequestACycle) {
  const std::string trace = write("t.trace", "0x0 READ 5\n0x40 READ 5\n0x80 WRITE 5\n");
  for (const bool per_bank : {true, false}) {
    const std::string csv = (m_dir / "t.csv").string();
    run_json(trace, csv,
             std::string(SKIPSIM_SOURCE_DIR) + (per_bank ? "/configs/dram/ddr4_3200_dramsim3.yaml"
                                                         : "/configs/dram/ddr4_3200.yaml"));
    const auto rows = read_csv(csv);
    ASSERT_EQ(rows.size(), 4u);
    for (size_t i = 1; i < rows.size(); ++i) {
      EXPECT_EQ(std::stoull(rows[i][4]), per_bank ? 4 + i : 5u) << per_bank << " " << i;
    }
  }
}

TEST_F(DramTrace, AcceptsLowercaseDecimalCommentsAndBlankLines) {
  const std::string trace = write("t.trace",
                                  "# a comment\n"
                                  "\n"
                                  "0X40 read 5   # trailing comment\n"
                                  "128\tWrite\t7\r\n"
                                  "  0xc0 READ 7\n");
  const nlohmann::json j = run_json(trace);
  EXPECT_EQ(j["reads"].get<uint64_t>(), 2u);
  EXPECT_EQ(j["writes"].get<uint64_t>(), 1u);
  EXPECT_EQ(j["requests"].get<uint64_t>(), 3u);
}

TEST_F(DramTrace, MalformedLinesNameFileAndLine) {
  EXPECT_NE(error_of("0x0 READ 0\n0x40 FETCH 1\n").find("bad.trace:2: expected 'ADDR READ|WRITE"),
            std::string::npos);
  EXPECT_NE(error_of("0xZZ READ 0\n").find("bad.trace:1:"), std::string::npos);
  EXPECT_NE(error_of("0xZZ READ 0\n").find("bad address"), std::string::npos);
  EXPECT_NE(error_of("\n\n0x0 READ\n").find("bad.trace:3:"), std::string::npos);
  EXPECT_NE(error_of("0x0 READ 1x\n").find("bad cycle"), std::string::npos);
  EXPECT_NE(error_of("0x0 READ 1 2\n").find("extra field"), std::string::npos);
  EXPECT_NE(error_of("0x0 READ 10\n0x40 READ 9\n")
                .find("bad.trace:2: expected a cycle of at "
                      "least 10"),
            std::string::npos);
  EXPECT_EQ(error_of("0x0 READ 10\n"), "");
}

TEST_F(DramTrace, TableOutputAndConfigNamingAPreset) {
  const std::string trace = write("t.trace", "0x0 READ 0\n0x0 WRITE 100\n");
  const std::string cfg = write("run.yaml", "hardware:\n  dram:\n    preset: " + kPreset + "\n");
  std::ostringstream out;
  EXPECT_EQ(run_dram_trace(cfg, trace, "", false, out), 0);
  EXPECT_NE(out.str().find("DDR4-3200"), std::string::npos);
  EXPECT_NE(out.str().find("bandwidth"), std::string::npos);
  EXPECT_NE(out.str().find("row hits / misses / conflicts"), std::string::npos);
  EXPECT_THROW(run_dram_trace(write("x.yaml", "foo: 1\n"), trace, "", true, out), InputError);
  EXPECT_THROW(run_dram_trace(kPreset, (m_dir / "missing.trace").string(), "", true, out),
               InputError);
}

}  // namespace
