// Repo::ContentIdExcluding: the identity of a tree's content without
// orchestrate's own files (the manifest, prompts), for cache keys.
#include "git_internal.h"

namespace orchestrate {

using namespace git_detail;

ObjectId Repo::ContentIdExcluding(const ObjectId& tree_id, const std::set<std::string>& excluded) {
  if (excluded.empty()) return tree_id;
  OwnedTree tree = LookupTree(repo_, tree_id);
  std::string listing = "orchestrate content 1\n";
  bool changed = false;
  for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
    std::string name = git_tree_entry_name(e);
    if (excluded.count(name)) {
      changed = true;
      continue;
    }
    std::set<std::string> below;
    for (const auto& path : excluded)
      if (path.rfind(name + "/", 0) == 0) below.insert(path.substr(name.size() + 1));
    ObjectId id = FromOid(*git_tree_entry_id(e));
    if (!below.empty() && git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      id = ContentIdExcluding(id, below);
      changed = true;
    }
    listing += std::to_string(git_tree_entry_filemode(e)) + " " + name + " " + id.hex() + "\n";
  }
  return changed ? HashBlob(listing) : tree_id;
}

}  // namespace orchestrate
