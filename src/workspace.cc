#include "orchestrate/workspace.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "file_io.h"
#include "orchestrate/error.h"
#include "orchestrate/manifest_snapshot.h"

namespace fs = std::filesystem;

namespace orchestrate {
namespace {

void CreateDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InfraError("cannot create directory " + dir + ": " + ec.message());
}

// Appends each missing pattern to .git/info/exclude as its own line.
void AddExcludes(const std::string& git_common_dir, const std::vector<std::string>& patterns) {
  std::string info = git_common_dir + "/info";
  CreateDir(info);
  std::string path = info + "/exclude";
  std::string current = ReadWholeFile(path).value_or("");
  std::istringstream lines(current);
  std::set<std::string> present;
  for (std::string line; std::getline(lines, line);) present.insert(line);
  std::string add;
  for (const auto& p : patterns)
    if (!present.count(p)) add += p + "\n";
  if (add.empty()) return;
  std::ofstream out(path, std::ios::app);
  if (!current.empty() && current.back() != '\n') out << "\n";
  out << add;
  if (!out) throw InfraError("cannot write " + path);
}

}  // namespace

RunState Workspace::LoadState() const {
  struct stat st;
  if (stat(state_file().c_str(), &st) != 0 && stat(legacy_state_file().c_str(), &st) == 0)
    return RunState::Load(legacy_state_file());
  return RunState::Load(state_file());
}

void Workspace::SaveState(const RunState& state) const {
  state.Save(state_file());
  std::remove(legacy_state_file().c_str());
}

void Workspace::Prepare(const std::string& git_common_dir,
                        const std::vector<std::string>& extra_excludes) const {
  for (const auto& dir : {state_dir, logs_dir(), worktrees_dir(), runs_dir(), pids_dir()})
    CreateDir(dir);
  std::vector<std::string> patterns{"/.orchestrate/"};
  for (const auto& e : extra_excludes) patterns.push_back("/" + e);
  AddExcludes(git_common_dir, patterns);
}

std::set<std::string> ManifestFiles(const Manifest& manifest, const std::string& root) {
  fs::path base = fs::weakly_canonical(root);
  auto relative = [&base](const std::string& path) {
    return fs::weakly_canonical(path).lexically_relative(base).generic_string();
  };
  std::set<std::string> files = {relative(manifest.path)};
  for (const Phase& phase : manifest.phases)
    if (!phase.prompt().empty()) files.insert(relative(manifest.dir + "/" + phase.prompt()));
  return files;
}

std::string LocateManifest(const std::string& dir, const std::string& file_flag) {
  if (!file_flag.empty()) {
    fs::path p =
        fs::path(file_flag).is_absolute() ? fs::path(file_flag) : fs::path(dir) / file_flag;
    if (!fs::exists(p)) throw UsageError("manifest " + p.string() + " does not exist");
    // Canonical, like the repository's own paths, so the manifest's place in
    // the repository is known even when reached through a symlink.
    return fs::weakly_canonical(p).string();
  }
  std::optional<std::string> found = FindManifest(dir);
  if (!found)
    throw UsageError(
        "no orchestrate.toml in " + dir +
        " or any parent directory (create one with `orchestrate init`, or pass -f FILE)");
  return fs::weakly_canonical(*found).string();
}

namespace {

[[noreturn]] void ReportManifestErrors(const std::string& path,
                                       const std::vector<Diagnostic>& diags) {
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", d.Format().c_str());
  throw UsageError(std::to_string(diags.size()) + (diags.size() == 1 ? " error" : " errors") +
                   " in " + path + "; nothing was run");
}

// The manifest at `path`, from the snapshot when it matches, else parsed
// (and then saved as the snapshot when `use` and the workspace allow).
Manifest OpenManifest(const std::string& path, const Workspace& workspace,
                      ManifestSnapshotUse use) {
  Manifest manifest;
  std::string text;
  std::vector<Diagnostic> diags;
  if (!ReadManifestFile(path, &text, &diags)) ReportManifestErrors(path, diags);
  std::string snapshot = workspace.manifest_snapshot_file();
  if (use != ManifestSnapshotUse::kIgnore && LoadManifestSnapshot(snapshot, path, text, &manifest))
    return manifest;
  if (!ParseManifest(text, path, &manifest, &diags)) ReportManifestErrors(path, diags);
  std::error_code ec;
  if (use == ManifestSnapshotUse::kReadAndWrite && fs::is_directory(workspace.state_dir, ec))
    SaveManifestSnapshot(snapshot, text, manifest);
  return manifest;
}

}  // namespace

ResultCache& Project::StartRecords(bool writable) {
  if (!cache) {
    index = std::make_unique<RecordIndex>(workspace.record_index_file(), writable);
    cache = std::make_unique<ResultCache>(*repo, index.get());
    cache->SetPolicy(TrustPolicy::FromEnvironment(manifest.settings.cache_trust,
                                                  manifest.settings.cache_public_keys));
  }
  return *cache;
}

Project OpenProject(const std::string& dir, const std::string& file_flag,
                    ManifestSnapshotUse snapshot, RecordsUse records) {
  Project project;
  project.repo = Repo::Discover(dir);
  project.workspace.root = project.repo->workdir();
  if (project.workspace.root.empty())
    throw UsageError("the repository " + project.repo->commondir() +
                     " is bare (it has no checkout): orchestrate runs phases in worktrees of a "
                     "checkout and keeps its state there; clone it (`git clone " +
                     project.repo->commondir() + "`) and run orchestrate in the clone");
  project.workspace.state_dir = project.workspace.root + "/.orchestrate";
  if (records != RecordsUse::kNone) project.StartRecords(records == RecordsUse::kReadAndWrite);
  std::string path = LocateManifest(dir, file_flag);
  project.manifest = OpenManifest(path, project.workspace, snapshot);
  if (project.cache)  // made before the manifest said which records to trust
    project.cache->SetPolicy(TrustPolicy::FromEnvironment(
        project.manifest.settings.cache_trust, project.manifest.settings.cache_public_keys));
  return project;
}

}  // namespace orchestrate
