// berthd: the Berth container engine daemon.
#include "daemon/berthd.hpp"

int main(int argc, char** argv) {
  return berth::daemon::run_berthd(argc, argv);
}
