#include "harness/episode.hpp"

#include <algorithm>
#include <charconv>

#include "harness/errors.hpp"

namespace gauntlet {

std::string PerturbationSet::id() const {
  if (items.empty()) return "nominal";
  auto sorted = items;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const auto& [dim, level] : sorted) {
    if (!out.empty()) out += ',';
    out += dim + ":" + std::to_string(level);
  }
  return out;
}

PerturbationSet PerturbationSet::parse(std::string_view text) {
  PerturbationSet set;
  if (text.empty() || text == "nominal") return set;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    const std::size_t colon = item.find(':');
    if (item.empty() || colon == std::string_view::npos || colon == 0) {
      throw InputError("perturbation set '" + std::string(text) +
                       "': expected DIMENSION:LEVEL (e.g. camera:3), got '" + std::string(item) +
                       "'");
    }
    const std::string_view level_text = item.substr(colon + 1);
    int level = -1;
    const auto [ptr, ec] =
        std::from_chars(level_text.data(), level_text.data() + level_text.size(), level);
    if (ec != std::errc() || ptr != level_text.data() + level_text.size() || level < 0 ||
        level > 5) {
      throw InputError("perturbation set '" + std::string(text) + "': level of '" +
                       std::string(item.substr(0, colon)) + "' must be an integer 0..5, got '" +
                       std::string(level_text) + "'");
    }
    const std::string dim(item.substr(0, colon));
    for (const auto& [d, l] : set.items) {
      if (d == dim)
        throw InputError("perturbation set '" + std::string(text) + "': dimension '" + dim +
                         "' given twice");
    }
    if (level > 0) set.items.emplace_back(dim, level);
    start = comma + 1;
    if (comma == text.size()) break;
  }
  std::sort(set.items.begin(), set.items.end());
  return set;
}

std::string_view to_string(Termination t) {
  switch (t) {
    case Termination::kSuccess:
      return "success";
    case Termination::kTimeout:
      return "timeout";
    case Termination::kPolicyError:
      return "policy_error";
    case Termination::kInvalidAction:
      return "invalid_action";
    case Termination::kSimError:
      return "sim_error";
  }
  return "unknown";
}

std::optional<Termination> parse_termination(std::string_view text) {
  for (const Termination t : kAllTerminations) {
    if (to_string(t) == text) return t;
  }
  return std::nullopt;
}

}  // namespace gauntlet
