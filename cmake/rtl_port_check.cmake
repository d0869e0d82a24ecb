# The configure-time port check on its own (tests/system/rtl_port_check_test.sh):
#   cmake -DVAR=SKIPSIM_RTL_SKIP_FIFO -DTOP=skip_fifo -DSHIPPED=hw/rtl/skip_fifo.v
#         -DSOURCES="a.v;b.v" [-DARGS=...] -DPARAMS=-GWIDTH=128 -DWORK_DIR=dir -P this file
cmake_minimum_required(VERSION 3.16)
include(${CMAKE_CURRENT_LIST_DIR}/SkipsimRtl.cmake)
find_program(VERILATOR_BIN NAMES verilator_bin verilator REQUIRED)
skipsim_rtl_check_ports(VAR ${VAR} VERILATOR ${VERILATOR_BIN} WORK_DIR ${WORK_DIR} TOP ${TOP}
                        BLOCK_TOP ${TOP} SHIPPED ${SHIPPED} SOURCES ${SOURCES} ARGS ${ARGS}
                        PARAMS ${PARAMS})
