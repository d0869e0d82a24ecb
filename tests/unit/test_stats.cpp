// The statistics tree (hw/common/stats.hpp) and its JSON view (tb/observe/stats_json.hpp).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "hw/common/stats.hpp"
#include "tb/observe/stats_json.hpp"

using skipsim::StatsNode;

TEST(StatsTree, NestingKeepsInsertionOrderAndReusesChildren) {
  StatsNode root;
  root.child("b").set("x", uint64_t{1});
  root.child("a").set("y", 2.5);
  root.child("b").set("z", true);  // the same child, not a second "b"
  ASSERT_EQ(root.size(), 2u);
  EXPECT_EQ(root.name_of(0), "b");
  EXPECT_EQ(root.name_of(1), "a");
  EXPECT_EQ(root.at("b").size(), 2u);
  EXPECT_EQ(root.at("b").u64("x"), 1u);
  EXPECT_TRUE(root.at("b").flag("z"));
  EXPECT_TRUE(root.has("a"));
  EXPECT_FALSE(root.has("c"));
  EXPECT_EQ(root.find("c"), nullptr);
  EXPECT_THROW(root.at("c"), std::out_of_range);
}

TEST(StatsTree, ValuesKeepTheirCxxKind) {
  StatsNode n;
  n.set("u", uint64_t{7})
      .set("unsigned_int", 7u)
      .set("i", -3)
      .set("d", 0.5)
      .set("b", false)
      .set("s", "text")
      .set("str", std::string("more"))
      .set("v", std::vector<uint64_t>{1, 2, 3})
      .set("names", std::vector<std::string>{"a", "b"});
  using K = StatsNode::Kind;
  EXPECT_EQ(n.at("u").kind(), K::kU64);
  EXPECT_EQ(n.at("unsigned_int").kind(), K::kU64);
  EXPECT_EQ(n.at("i").kind(), K::kI64);
  EXPECT_EQ(n.at("d").kind(), K::kDouble);
  EXPECT_EQ(n.at("b").kind(), K::kBool);
  EXPECT_EQ(n.at("s").kind(), K::kString);
  EXPECT_EQ(n.at("str").kind(), K::kString);
  EXPECT_EQ(n.at("v").kind(), K::kU64s);
  EXPECT_EQ(n.at("names").kind(), K::kStrings);
  EXPECT_EQ(n.i64("i"), -3);
  EXPECT_EQ(n.str("s"), "text");
  EXPECT_EQ(n.u64s("v"), (std::vector<uint64_t>{1, 2, 3}));
  // num() reads every numeric kind; the typed getters refuse another kind.
  EXPECT_DOUBLE_EQ(n.num("u"), 7.0);
  EXPECT_DOUBLE_EQ(n.num("i"), -3.0);
  EXPECT_DOUBLE_EQ(n.num("d"), 0.5);
  EXPECT_THROW(n.u64("i"), std::logic_error);
  EXPECT_THROW(n.str("u"), std::logic_error);
  EXPECT_THROW(n.num("s"), std::logic_error);
  EXPECT_THROW(n.flag("d"), std::logic_error);
}

TEST(StatsTree, SettingAgainReplacesTheValue) {
  StatsNode n;
  n.set("x", uint64_t{1});
  n.set("x", "now a string");
  EXPECT_EQ(n.size(), 1u);
  EXPECT_EQ(n.str("x"), "now a string");
}

TEST(StatsTree, CopiesAreDeep) {
  StatsNode a;
  a.child("g").set("x", uint64_t{1});
  StatsNode b = a;
  b.child("g").set("x", uint64_t{2});
  EXPECT_EQ(a.at("g").u64("x"), 1u);
  EXPECT_EQ(b.at("g").u64("x"), 2u);
}

TEST(StatsTree, JsonViewHasTheSameShapeAndTypes) {
  StatsNode root;
  root.set("cycles", uint64_t{493042}).set("delta", -1).set("ghz", 1.0).set("ok", true);
  StatsNode& f = root.child("fifos").child("skip");
  f.set("policy", "block").set("counts", std::vector<uint64_t>{4, 0, 2});
  root.child("empty");
  root.list("none");
  StatsNode& chain = root.list("chain");
  chain.append().set("block", "fork");
  chain.append().set("block", "add");
  root.set("pipeline", std::vector<std::string>{"fork", "add"});

  const nlohmann::json j = skipsim::stats_to_json(root);
  EXPECT_TRUE(j["cycles"].is_number_unsigned());
  EXPECT_EQ(j["cycles"].get<uint64_t>(), 493042u);
  EXPECT_TRUE(j["delta"].is_number_integer());
  EXPECT_EQ(j["delta"].get<int>(), -1);
  EXPECT_TRUE(j["ghz"].is_number_float());
  EXPECT_TRUE(j["ok"].is_boolean());
  EXPECT_EQ(j["fifos"]["skip"]["policy"], "block");
  EXPECT_EQ(j["fifos"]["skip"]["counts"], nlohmann::json::array({4, 0, 2}));
  EXPECT_TRUE(j["empty"].is_object());
  EXPECT_TRUE(j["empty"].empty());
  EXPECT_TRUE(j["none"].is_array());
  EXPECT_TRUE(j["none"].empty());
  ASSERT_TRUE(j["chain"].is_array());
  ASSERT_EQ(j["chain"].size(), 2u);
  EXPECT_EQ(j["chain"][1]["block"], "add");
  EXPECT_EQ(j["pipeline"], nlohmann::json::array({"fork", "add"}));
  // A double keeps its decimal point in the text, so readers see a number of the same kind.
  EXPECT_EQ(j["ghz"].dump(), "1.0");
}
