// libsystemc.so calls sc_main from its main(); the parsers never start a simulation.
#include <systemc>

int sc_main(int, char*[]) { return 0; }
