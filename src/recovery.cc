#include "orchestrate/recovery.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace orchestrate {

ProcessHooks RecordProcessGroups(const std::string& pids_dir, int slot, const std::string& marker) {
  std::string path = pids_dir + "/slot-" + std::to_string(slot);
  ProcessHooks hooks;
  hooks.started = [path, marker](int pgid) { std::ofstream(path) << pgid << " " << marker << "\n"; };
  hooks.ended = [path](int) { std::ofstream(path, std::ios::trunc); };
  return hooks;
}

std::vector<std::string> ReapLeftoverProcessGroups(const std::string& pids_dir) {
  std::vector<std::string> stopped;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pids_dir, ec)) {
    std::ifstream in(entry.path());
    int pgid = 0;
    std::string marker;
    in >> pgid >> marker;
    if (pgid > 1 && ProcessGroupHasMarker(pgid, marker)) {
      KillProcessGroup(pgid, std::chrono::seconds(2));
      stopped.push_back("stopped process group " + std::to_string(pgid) +
                        " left running by a killed run");
    }
    fs::remove(entry.path(), ec);
  }
  return stopped;
}

}  // namespace orchestrate
