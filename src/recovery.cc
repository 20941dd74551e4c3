#include "orchestrate/recovery.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace orchestrate {

ProcessHooks RecordProcessGroups(const std::string& pids_dir, const std::string& marker) {
  ProcessHooks hooks;
  hooks.started = [pids_dir, marker](int pgid) {
    std::ofstream(pids_dir + "/" + std::to_string(pgid)) << marker << "\n";
  };
  hooks.ended = [pids_dir](int pgid) {
    std::error_code ec;
    fs::remove(pids_dir + "/" + std::to_string(pgid), ec);
  };
  return hooks;
}

std::vector<std::string> ReapLeftoverProcessGroups(const std::string& pids_dir) {
  std::vector<std::string> stopped;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pids_dir, ec)) {
    std::ifstream in(entry.path());
    std::string marker;
    std::getline(in, marker);
    int pgid = std::atoi(entry.path().filename().c_str());
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
