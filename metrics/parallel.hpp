// Deterministic data parallelism for metrics/: blocks of an index range on std::threads. Work
// items are pure functions of their index, so results never depend on the thread count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace gauntlet::metrics {

// The number of threads to use: `requested` if positive, else the hardware concurrency; never more
// than the number of work items, never less than one.
int resolve_thread_count(int requested, std::size_t work_items);

// Calls body(begin, end, worker) on disjoint blocks covering [0, count), one block per worker.
// Exceptions thrown by a worker are rethrown here (the first one, by worker index).
template <class Body>
void parallel_for(std::size_t count, int threads, Body&& body) {
  const int workers = resolve_thread_count(threads, count);
  if (count == 0) return;
  if (workers == 1) {
    body(std::size_t{0}, count, 0);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(workers));
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers));
  const std::size_t w = static_cast<std::size_t>(workers);
  for (std::size_t i = 0; i < w; ++i) {
    const std::size_t begin = count * i / w;
    const std::size_t end = count * (i + 1) / w;
    pool.emplace_back([&, i, begin, end] {
      try {
        body(begin, end, static_cast<int>(i));
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace gauntlet::metrics
