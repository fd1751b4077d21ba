#include "cli/wm_common.hpp"

#include <set>

#include "harness/sha256.hpp"

namespace gauntlet::cli {

std::vector<DemoSet> read_demo_sets(const std::vector<std::string>& files,
                                    const std::string& camera) {
  std::vector<DemoSet> sets;
  for (const auto& f : files) sets.push_back(read_demo_file(f, camera));
  return sets;
}

std::string demo_identity(const std::vector<DemoSet>& sets, const std::string& camera) {
  std::string id = "camera=" + camera;
  for (const auto& s : sets) id += "," + sha256_file_hex(s.path);
  return id;
}

nlohmann::json demo_provenance(const std::vector<DemoSet>& sets) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : sets) {
    long successes = 0;
    for (const auto& e : s.episodes) successes += e.success ? 1 : 0;
    out.push_back({{"file", s.path.filename().string()},
                   {"sha256", sha256_file_hex(s.path)},
                   {"episodes", s.episodes.size()},
                   {"successes", successes},
                   {"policy", s.policy_spec}});
  }
  return out;
}

nlohmann::json demo_seeds(const std::vector<DemoSet>& sets) {
  std::set<std::string> seeds;
  for (const auto& s : sets) {
    for (const auto& e : s.episodes) {
      if (!e.seed.empty()) seeds.insert(e.seed);
    }
  }
  return nlohmann::json(std::vector<std::string>(seeds.begin(), seeds.end()));
}

}  // namespace gauntlet::cli
