// libsystemc.so calls sc_main from its main(); ours replaces it only to keep the SystemC
// banner (printed before sc_main) out of the test listing that ctest parses.
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
