#include "harness/lockstep_pool.hpp"

namespace gauntlet {

LockstepPool::LockstepPool(int slots) : slots_(slots < 1 ? 1 : slots) {
  for (int i = 1; i < slots_; ++i) threads_.emplace_back([this, i] { worker_loop(i); });
}

LockstepPool::~LockstepPool() {
  shutdown_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& t : threads_) t.join();
}

void LockstepPool::run(const std::function<void(int)>& fn) {
  if (slots_ == 1) {
    fn(0);
    return;
  }
  job_ = &fn;
  remaining_.store(slots_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  fn(0);
  // Short spin first: a control step is tens of microseconds, a futex sleep
  // and wake costs about as much.
  for (int spin = 0; spin < 2000; ++spin) {
    if (remaining_.load(std::memory_order_acquire) == 0) return;
  }
  int left = remaining_.load(std::memory_order_acquire);
  while (left != 0) {
    remaining_.wait(left, std::memory_order_acquire);
    left = remaining_.load(std::memory_order_acquire);
  }
}

void LockstepPool::worker_loop(int slot) {
  std::uint64_t seen = 0;
  while (true) {
    std::uint64_t gen = generation_.load(std::memory_order_acquire);
    for (int spin = 0; spin < 2000 && gen == seen; ++spin) {
      gen = generation_.load(std::memory_order_acquire);
    }
    while (gen == seen) {
      generation_.wait(seen, std::memory_order_acquire);
      gen = generation_.load(std::memory_order_acquire);
    }
    seen = gen;
    if (shutdown_.load()) return;
    (*job_)(slot);
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) remaining_.notify_one();
  }
}

}  // namespace gauntlet
