#include "metrics/parallel.hpp"

namespace gauntlet::metrics {

int resolve_thread_count(int requested, std::size_t work_items) {
  std::size_t n = requested > 0 ? static_cast<std::size_t>(requested)
                                : static_cast<std::size_t>(std::thread::hardware_concurrency());
  n = std::max<std::size_t>(1, std::min(n, std::max<std::size_t>(1, work_items)));
  return static_cast<int>(n);
}

}  // namespace gauntlet::metrics
