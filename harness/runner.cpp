#include "harness/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>

#include "harness/errors.hpp"
#include "harness/lockstep_pool.hpp"

namespace gauntlet {

using Clock = std::chrono::steady_clock;

struct Runner::Slot {
  // kNeedsOutcome: a step's outcome waits for the Env's OutcomeBatch;
  // kOutcomeReady: decided, to be applied on the slot's thread.
  enum class Phase {
    kIdle,
    kNeedsReset,
    kNeedsAction,
    kExecuting,
    kNeedsOutcome,
    kOutcomeReady,
    kFinished
  };
  int index = 0;
  std::unique_ptr<Env> env;
  OutcomeBatch* outcomes = nullptr;  // the Env's, when it defers outcomes
  int chunk_pos = 0;                 // actions of the chunk already applied
  StepResult pending;                // a decided outcome (kOutcomeReady)
  Phase phase = Phase::kIdle;
  const EpisodeSpec* spec = nullptr;
  const TaskInfo* task = nullptr;
  ActionChunk chunk;
  std::vector<float> clipped;
  bool recording = false;
  int steps = 0;
  EpisodeResult result;
  std::vector<double> latencies_ms;
  Clock::time_point started;
};

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return values[lo] + (values[hi] - values[lo]) * frac;
}

Runner::Runner(const Suite& suite, Policy& policy, RunnerOptions options)
    : suite_(suite), policy_(policy), options_(std::move(options)) {
  if (options_.workers < 1) options_.workers = 1;
  const PolicyRequirements req = policy_.requirements();
  request_.cameras = req.cameras;
  for (const auto& cam : options_.extra_cameras) {
    if (std::find(request_.cameras.begin(), request_.cameras.end(), cam) ==
        request_.cameras.end()) {
      request_.cameras.push_back(cam);
    }
  }
  request_.privileged = req.privileged;
  request_.width = options_.image_width > 0 ? options_.image_width
                   : req.image_width > 0    ? req.image_width
                                            : suite_.info().image_width;
  request_.height = options_.image_height > 0 ? options_.image_height
                    : req.image_height > 0    ? req.image_height
                                              : suite_.info().image_height;
  for (const auto& cam : request_.cameras) {
    const auto& available = suite_.info().cameras;
    if (std::find(available.begin(), available.end(), cam) == available.end()) {
      throw InputError("policy asks for camera '" + cam + "' but suite '" + suite_.info().name +
                       "' has: " + join_names(available));
    }
  }
  replan_every_ = options_.replan_every > 0 ? options_.replan_every : policy_.replan_every();
  for (int i = 0; i < options_.workers; ++i) {
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->index = i;
  }
  pool_ = std::make_unique<LockstepPool>(options_.workers);
  policy_.prepare(options_.workers, suite_.action_space());
}

Runner::~Runner() {
  // Envs may own per-thread resources (GL contexts): destroy each on its thread.
  if (pool_) {
    pool_->run([this](int i) { slots_[static_cast<std::size_t>(i)]->env.reset(); });
  }
}

void Runner::start_episode(Slot& slot, int slot_index, const EpisodeSpec& spec) {
  slot.spec = &spec;
  slot.task = &suite_.tasks().at(static_cast<std::size_t>(spec.task_index));
  slot.steps = 0;
  slot.latencies_ms.clear();
  slot.started = Clock::now();
  slot.result = EpisodeResult{};
  slot.result.task_id = spec.task_id;
  slot.result.perturbation_id = spec.perturbation.id();
  slot.result.episode_index = spec.episode_index;
  slot.result.seed = spec.seed;
  slot.phase = Slot::Phase::kNeedsReset;
  slot.recording = options_.recorder != nullptr && options_.recorder->records(spec);

  EpisodeContext ctx;
  ctx.spec = &spec;
  ctx.instruction = suite_.instruction(spec);
  ctx.max_steps = slot.task->max_steps;
  ctx.action_space = &suite_.action_space();
  const int task_index = spec.task_index;
  const Suite* suite = &suite_;
  ctx.make_expert = [suite, task_index] { return suite->make_expert(task_index); };
  try {
    policy_.reset(slot_index, ctx);
  } catch (const std::exception& e) {
    finish(slot, Termination::kPolicyError, std::string("policy reset failed: ") + e.what());
  }
}

void Runner::finish(Slot& slot, Termination termination, std::string error) {
  slot.result.termination = termination;
  slot.result.success = termination == Termination::kSuccess;
  slot.result.steps = slot.steps;
  slot.result.error = std::move(error);
  slot.result.wall_time_s = std::chrono::duration<double>(Clock::now() - slot.started).count();
  slot.result.policy_calls = static_cast<int>(slot.latencies_ms.size());
  slot.result.latency_p50_ms = percentile(slot.latencies_ms, 50);
  slot.result.latency_p95_ms = percentile(slot.latencies_ms, 95);
  slot.result.latency_p99_ms = percentile(slot.latencies_ms, 99);
  if (slot.env) slot.result.subtasks = slot.env->subtasks();
  slot.phase = Slot::Phase::kFinished;
}

bool Runner::apply_outcome(Slot& slot, const StepResult& r) {
  if (slot.recording) options_.recorder->record_outcome(slot.index, r, *slot.env);
  ++slot.steps;
  slot.result.episode_return += r.reward;
  slot.result.progress = std::max(slot.result.progress, std::clamp(r.progress, 0.0, 1.0));
  if (r.sim_error) {
    finish(slot, Termination::kSimError, r.error.empty() ? "simulation became unstable" : r.error);
    return true;
  }
  if (r.success) {
    slot.result.progress = 1.0;
    finish(slot, Termination::kSuccess, {});
    return true;
  }
  if (r.failed || slot.steps >= slot.task->max_steps) {
    finish(slot, Termination::kTimeout, {});
    return true;
  }
  return false;
}

void Runner::execute_chunk(Slot& slot) {
  const int available = slot.chunk.horizon;
  const int n = replan_every_ > 0 ? std::min(replan_every_, available) : available;
  StepRecorder* recorder = slot.recording ? options_.recorder : nullptr;
  const bool observe_all = recorder != nullptr && recorder->wants_observations();
  const ActionSpace& space = suite_.action_space();
  for (int i = slot.chunk_pos; i < n; ++i) {
    const bool observe = observe_all || i == n - 1;
    std::span<const float> action = slot.chunk.action(i);
    if (recorder) {
      slot.clipped.assign(action.begin(), action.end());
      for (std::size_t k = 0; k < slot.clipped.size(); ++k) {
        slot.clipped[k] = std::clamp(slot.clipped[k], space.low[k], space.high[k]);
      }
      recorder->record_step(slot.index, slot.env->observation(), slot.clipped);
    }
    const StepResult r = slot.env->step(action, observe);
    slot.chunk_pos = i + 1;
    if (r.deferred) {
      // The rest of the chunk waits for the batched decision (Runner::run).
      slot.phase = Slot::Phase::kNeedsOutcome;
      return;
    }
    if (apply_outcome(slot, r)) return;
  }
  slot.phase = Slot::Phase::kNeedsAction;
}

void Runner::advance(Slot& slot) {
  try {
    if (slot.phase == Slot::Phase::kNeedsReset) {
      if (!slot.env) {
        slot.env = suite_.make_env(request_);
        slot.outcomes = slot.env->defer_outcomes();
      }
      slot.env->reset(*slot.spec);
      if (slot.recording) options_.recorder->begin_episode(slot.index, *slot.spec, *slot.env);
      slot.phase = Slot::Phase::kNeedsAction;
    } else if (slot.phase == Slot::Phase::kExecuting) {
      execute_chunk(slot);
    } else if (slot.phase == Slot::Phase::kOutcomeReady) {
      if (!apply_outcome(slot, slot.pending)) execute_chunk(slot);
    }
  } catch (const SimulationError& e) {
    finish(slot, Termination::kSimError, e.what());
  } catch (const std::exception& e) {
    finish(slot, Termination::kSimError, std::string("environment failed: ") + e.what());
  }
}

void Runner::run(std::span<const EpisodeSpec> specs, EpisodeSink& sink, StopFlags stop) {
  std::size_t next = 0;
  std::vector<int> batch_slots;
  std::vector<const Observation*> batch_obs;
  std::vector<ActionChunk> batch_out;
  std::vector<EpisodeResult> finished;
  std::vector<Env*> deferred_envs;
  std::vector<Slot*> deferred_slots;
  std::vector<StepResult> decided;
  const ActionSpace& space = suite_.action_space();
  const std::function<void(int)> advance_slot = [this](int i) {
    advance(*slots_[static_cast<std::size_t>(i)]);
  };

  while (true) {
    if (stop.raised()) {
      // Unfinished episodes are dropped: a later run starts from idle slots.
      for (auto& slot : slots_) slot->phase = Slot::Phase::kIdle;
      return;
    }
    // Hand out specs to idle slots.
    bool any_active = false;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = *slots_[i];
      if (slot.phase == Slot::Phase::kIdle && next < specs.size()) {
        start_episode(slot, static_cast<int>(i), specs[next++]);
      }
      any_active = any_active || slot.phase != Slot::Phase::kIdle;
    }
    if (!any_active) return;

    pool_->run(advance_slot);

    finished.clear();
    for (auto& slot : slots_) {
      if (slot->phase == Slot::Phase::kFinished) {
        if (slot->recording) options_.recorder->end_episode(slot->index, slot->result);
        finished.push_back(slot->result);
        slot->phase = Slot::Phase::kIdle;
      }
    }
    if (!finished.empty()) sink.on_episodes(finished);

    // One batched decision per OutcomeBatch for every slot whose step waits
    // for one (normally all slots share one: the world model's judge).
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      OutcomeBatch* batch = slots_[i]->outcomes;
      if (slots_[i]->phase != Slot::Phase::kNeedsOutcome || batch == nullptr) continue;
      deferred_envs.clear();
      deferred_slots.clear();
      for (std::size_t k = i; k < slots_.size(); ++k) {
        Slot& s = *slots_[k];
        if (s.phase == Slot::Phase::kNeedsOutcome && s.outcomes == batch) {
          deferred_envs.push_back(s.env.get());
          deferred_slots.push_back(&s);
        }
      }
      decided.assign(deferred_envs.size(), StepResult{});
      batch->decide(deferred_envs, decided);
      for (std::size_t b = 0; b < deferred_slots.size(); ++b) {
        deferred_slots[b]->pending = std::move(decided[b]);
        deferred_slots[b]->phase = Slot::Phase::kOutcomeReady;
      }
    }

    // One batched policy call for every slot waiting for actions.
    batch_slots.clear();
    batch_obs.clear();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i]->phase == Slot::Phase::kNeedsAction) {
        batch_slots.push_back(static_cast<int>(i));
        batch_obs.push_back(&slots_[i]->env->observation());
      }
    }
    if (batch_slots.empty()) continue;
    batch_out.resize(batch_slots.size());
    for (auto& chunk : batch_out) chunk.error.clear();
    const auto t0 = Clock::now();
    std::string batch_error;
    try {
      policy_.act(batch_slots, batch_obs, batch_out);
    } catch (const std::exception& e) {
      batch_error = e.what();
    } catch (...) {
      batch_error = "policy threw a non-standard exception";
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    for (std::size_t b = 0; b < batch_slots.size(); ++b) {
      Slot& slot = *slots_[static_cast<std::size_t>(batch_slots[b])];
      slot.latencies_ms.push_back(ms);
      if (!batch_error.empty()) {
        finish(slot, Termination::kPolicyError, batch_error);
        continue;
      }
      if (!batch_out[b].error.empty()) {
        finish(slot, Termination::kPolicyError, batch_out[b].error);
        continue;
      }
      if (std::string why = validate_chunk(batch_out[b], space); !why.empty()) {
        finish(slot, Termination::kInvalidAction, why);
        continue;
      }
      std::swap(slot.chunk, batch_out[b]);
      slot.chunk_pos = 0;
      slot.phase = Slot::Phase::kExecuting;
    }
  }
}

}  // namespace gauntlet
