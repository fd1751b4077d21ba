#include "metrics/alternative.hpp"

#include <stdexcept>
#include <string>

namespace gauntlet::metrics {

Alternative parse_alternative(std::string_view name) {
  if (name == "two-sided") return Alternative::kTwoSided;
  if (name == "less") return Alternative::kLess;
  if (name == "greater") return Alternative::kGreater;
  throw std::invalid_argument("unknown alternative '" + std::string(name) +
                              "'; expected one of: two-sided, less, greater");
}

std::string_view to_string(Alternative alternative) {
  switch (alternative) {
    case Alternative::kTwoSided:
      return "two-sided";
    case Alternative::kLess:
      return "less";
    case Alternative::kGreater:
      return "greater";
  }
  return "?";
}

}  // namespace gauntlet::metrics
