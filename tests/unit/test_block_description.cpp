// Blocks as data: the descriptions of the basic and the downsampling block.
#include <gtest/gtest.h>

#include "tb/config/config.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/top/block_description.hpp"

using namespace skipsim;

namespace {
BlockParams params(BlockKind kind, int h, int w, int c, int out_c) {
  BlockShape s;
  s.kind = kind;
  s.h = h;
  s.w = w;
  s.c = c;
  s.out_c = out_c;
  return random_block(s, 3);
}
}  // namespace

TEST(BlockDescription, BasicBlockIsTwoConvsAndAnIdentitySkip) {
  const BlockParams p = params(BlockKind::kBasic, 7, 9, 12, 12);
  const BlockDescription d = describe_block(p);
  EXPECT_EQ(d.kind, "basic");
  ASSERT_EQ(d.main.size(), 2u);
  EXPECT_FALSE(d.skip.has_value());
  EXPECT_EQ(d.main[0].name, "conv1");
  EXPECT_EQ(d.main[0].out_stream, "conv1_out");
  EXPECT_EQ(d.main[1].name, "conv2");
  EXPECT_EQ(d.main[1].out_stream, "conv2_out");
  EXPECT_EQ(d.main[0].in_h, 7);
  EXPECT_EQ(d.main[0].in_w, 9);
  EXPECT_EQ(d.main[0].in_c(), 12);
  EXPECT_EQ(d.main[1].in_h, 7);
  EXPECT_EQ(d.out_h(), 7);
  EXPECT_EQ(d.out_w(), 9);
  EXPECT_EQ(d.out_c(), 12);
  EXPECT_TRUE(d.main[0].params.relu);
  EXPECT_FALSE(d.main[1].params.relu);
  EXPECT_EQ(d.stages().size(), 2u);
  EXPECT_EQ(d.add.shift, p.add.shift);
}

TEST(BlockDescription, DownsampleBlockHasAProjectionStage) {
  const BlockDescription d = describe_block(params(BlockKind::kDownsample, 9, 7, 12, 20));
  EXPECT_EQ(d.kind, "downsample");
  ASSERT_TRUE(d.skip.has_value());
  EXPECT_EQ(d.skip->name, "skip_conv");
  EXPECT_EQ(d.skip->out_stream, "skip_proj");
  EXPECT_EQ(d.skip->params.k, 1);
  EXPECT_EQ(d.skip->params.stride, 2);
  // conv1 halves the image, conv2 keeps it; the projection meets it at the add.
  EXPECT_EQ(d.main[1].in_h, 5);
  EXPECT_EQ(d.main[1].in_w, 4);
  EXPECT_EQ(d.skip->out_h(), d.out_h());
  EXPECT_EQ(d.skip->out_w(), d.out_w());
  EXPECT_EQ(d.out_c(), 20);
  const auto st = d.stages();
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[2]->name, "skip_conv");
}
