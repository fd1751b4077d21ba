#include "tests/adapters/adapter_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>

#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "harness/runner.hpp"
#include "suites/builtin.hpp"
#include "tests/support/process.hpp"

namespace gauntlet::testing {
namespace {

const std::vector<std::string>& smoke_proprio_names() {
  static const std::vector<std::string> names = {"eef_pos_x",        "eef_pos_y",        "eef_pos_z",
                                                 "eef_axis_angle_x", "eef_axis_angle_y", "eef_axis_angle_z",
                                                 "gripper_qpos_left", "gripper_qpos_right"};
  return names;
}

struct Collect final : EpisodeSink {
  std::vector<EpisodeResult> rows;
  void on_episodes(std::span<const EpisodeResult> finished) override {
    rows.insert(rows.end(), finished.begin(), finished.end());
  }
};

}  // namespace

void run_python(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {GAUNTLET_PYTHON};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv, std::chrono::seconds(300));
  INFO("python " << (args.empty() ? "" : args[0]) << "\nstdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
}

std::filesystem::path adapter_test_data() {
  return std::filesystem::path(GAUNTLET_SOURCE_DIR) / "tests" / "adapters" / "data";
}

std::filesystem::path torchscript_artifacts() {
  static std::once_flag once;
  static std::filesystem::path dir;
  std::call_once(once, [] {
    dir = fresh_dir("torchscript-artifacts");
    run_python({(adapter_test_data() / "make_torchscript_models.py").string(), dir.string()});
  });
  return dir;
}

Observation make_observation(std::vector<float> proprio, const std::vector<std::string>& cameras, int width,
                             int height) {
  Observation obs;
  obs.proprio = std::move(proprio);
  obs.proprio_names = &smoke_proprio_names();
  obs.instruction = "pick up the red cube";
  for (const auto& c : cameras) {
    CameraFrame f;
    f.name = c;
    f.image.resize(width, height);
    obs.cameras.push_back(std::move(f));
  }
  return obs;
}

const Suite& smoke_suite() {
  static const std::shared_ptr<const Suite> suite = [] {
    Registry r;
    register_builtin_suites(r);
    return r.load_suite("tabletop-smoke");
  }();
  return *suite;
}

std::vector<EpisodeResult> run_smoke(Policy& policy, int episodes, int workers, const std::string& task,
                                     int replan_every) {
  EpisodePlan plan;
  plan.episodes_per_task = episodes;
  if (!task.empty()) plan.task_ids = {task};
  const auto specs = plan_episodes(smoke_suite(), plan);
  RunnerOptions options;
  options.workers = workers;
  options.replan_every = replan_every;
  Runner runner(smoke_suite(), policy, options);
  Collect sink;
  runner.run(specs, sink);
  REQUIRE(sink.rows.size() == specs.size());
  std::sort(sink.rows.begin(), sink.rows.end(), [](const auto& a, const auto& b) { return a.key() < b.key(); });
  return sink.rows;
}

}  // namespace gauntlet::testing
