// A fixed team of threads that run one function per slot in lockstep: slot i
// always runs on thread i (slot 0 on the caller), so per-thread state such as
// an OpenGL context stays with its slot.
#pragma once

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace gauntlet {

class LockstepPool {
 public:
  explicit LockstepPool(int slots);
  ~LockstepPool();
  LockstepPool(const LockstepPool&) = delete;
  LockstepPool& operator=(const LockstepPool&) = delete;

  int slots() const { return slots_; }
  // Runs fn(i) for every slot i, fn(0) on the calling thread; returns when all
  // are done. fn must not throw.
  void run(const std::function<void(int)>& fn);

 private:
  void worker_loop(int slot);

  int slots_;
  std::vector<std::thread> threads_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<bool> shutdown_{false};
};

}  // namespace gauntlet
