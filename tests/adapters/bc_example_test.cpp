// examples/bc end to end: demonstrations recorded with `gauntlet record`, a
// state MLP and an image CNN trained for seconds with Debian's python3-torch,
// and the SAME weights evaluated through the torchscript, python and remote
// adapters: on the same seeds the episodes and every action are identical.
//
// Why exact equality holds: one worker (batch 1 everywhere), one intra-op
// thread, the same libtorch kernels for TorchScript and eager PyTorch, and
// normalisation written as the same float32 expressions on both sides.
#include <catch2/catch.hpp>

#include "harness/results_store.hpp"
#include "tests/adapters/adapter_test_support.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::testing;

namespace {

const std::string kSource = GAUNTLET_SOURCE_DIR;
const std::string kTask = "open-the-drawer";

void gauntlet_ok(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {gauntlet_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv, std::chrono::seconds(600));
  INFO("gauntlet " << args[0] << " " << args.back() << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
}

struct Trained {
  std::filesystem::path dir;  // epoch_NNN with checkpoint.pt, model.pt, policy.yaml
};

std::filesystem::path work() {
  static const std::filesystem::path dir = [] {
    const auto d = process_dir("bc-example");
    // 6 scripted demonstrations, 32x32 agentview images.
    gauntlet_ok({"record", "--suite", "tabletop-smoke", "--task", kTask, "--episodes", "6",
                 "--workers", "2", "--camera", "agentview", "--image-size", "32x32", "--out",
                 (d / "demos.h5").string()});
    return d;
  }();
  return dir;
}

std::filesystem::path train(const std::string& kind, int epochs) {
  const auto out = work() / kind;
  if (!std::filesystem::exists(out)) {
    run_python({kSource + "/examples/bc/train.py", "--demos", (work() / "demos.h5").string(),
                "--kind", kind, "--out", out.string(), "--epochs", std::to_string(epochs),
                "--save-at", "1", "--hidden", "64"});
  }
  char name[32];
  std::snprintf(name, sizeof name, "epoch_%03d", epochs);
  REQUIRE(std::filesystem::exists(out / "epoch_001" / "model.pt"));  // the early stage is saved too
  return out / name;
}

// Runs `spec` on 3 episodes of the task with one worker; returns the rows
// and records the same episodes (every action) to demos-LABEL.h5.
std::vector<EpisodeResult> evaluate(const std::string& label, const std::string& spec) {
  const auto results = work() / (label + ".h5");
  const auto demos = work() / ("demos-" + label + ".h5");
  std::filesystem::remove(results);
  const std::vector<std::string> plan = {
      "--suite", "tabletop-smoke", "--task", kTask,      "--episodes",
      "3",       "--workers",      "1",      "--policy", spec};
  std::vector<std::string> run = {"run"};
  run.insert(run.end(), plan.begin(), plan.end());
  run.insert(run.end(), {"--out", results.string()});
  gauntlet_ok(run);
  std::vector<std::string> rec = {"record"};
  rec.insert(rec.end(), plan.begin(), plan.end());
  rec.insert(rec.end(), {"--camera", "agentview", "--image-size", "32x32", "--force", "--out",
                         demos.string()});
  gauntlet_ok(rec);
  return ResultsStore::read(results).episodes;
}

void check_same_outcomes(const std::vector<EpisodeResult>& a, const std::vector<EpisodeResult>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("episode " << a[i].episode_index);
    CHECK(a[i].key() == b[i].key());
    CHECK(a[i].seed == b[i].seed);
    CHECK(a[i].termination == b[i].termination);
    CHECK(a[i].success == b[i].success);
    CHECK(a[i].steps == b[i].steps);
    CHECK(a[i].progress == b[i].progress);  // exact: the trajectories are the same
    CHECK(a[i].episode_return == b[i].episode_return);
    CHECK(a[i].policy_calls == b[i].policy_calls);
  }
}

// Every recorded action of the three adapters' runs is bit-identical, and the
// policy did something (its actions vary and are not the zero policy's).
void check_same_actions(const std::string& kind) {
  run_python({"-c", R"(
import sys, h5py, numpy as np
files = sys.argv[1:]
def actions(path):
    with h5py.File(path, "r") as f:
        d = f["data"]
        return [np.asarray(d[k]["actions"]) for k in sorted(d, key=lambda n: int(n.split("_")[1]))]
ref = actions(files[0])
assert len(ref) == 3, len(ref)
for other in files[1:]:
    got = actions(other)
    assert len(got) == len(ref), (other, len(got))
    for i, (x, y) in enumerate(zip(ref, got)):
        assert x.shape == y.shape and np.array_equal(x, y), \
            f"{other} demo {i}: max |diff| {np.abs(x[:min(len(x), len(y))] - y[:min(len(x), len(y))]).max()}"
flat = np.concatenate(ref)
assert flat.std(axis=0).max() > 1e-4, "the policy's actions do not vary"
assert np.abs(flat).max() > 1e-3, "the policy outputs zeros"
)",
              (work() / ("demos-" + kind + "-torchscript.h5")).string(),
              (work() / ("demos-" + kind + "-python.h5")).string(),
              (work() / ("demos-" + kind + "-remote.h5")).string()});
}

void three_ways(const std::string& kind, int epochs) {
  const auto dir = train(kind, epochs);
  const std::string ckpt = (dir / "checkpoint.pt").string();
  const auto ts = evaluate(kind + "-torchscript", "torchscript:" + (dir / "model.pt").string() +
                                                      ",config=" + (dir / "policy.yaml").string() +
                                                      ",threads=1,replan_every=2");
  const auto py = evaluate(kind + "-python", "python:bc_policy:BCPolicy,path=" + kSource +
                                                 "/examples/bc,checkpoint=" + ckpt +
                                                 ",threads=1,replan_every=2");
  PolicyServerProcess server("bc_policy:BCPolicy", {"checkpoint=" + ckpt, "threads=1"},
                             {kSource + "/examples/bc"});
  const auto rm =
      evaluate(kind + "-remote", "remote:" + server.uri() + ",image_size=32x32,replan_every=2");
  REQUIRE(ts.size() == 3);
  for (const auto& r : ts) {
    INFO(r.error);
    CHECK(r.termination != Termination::kPolicyError);
    CHECK(r.termination != Termination::kInvalidAction);
  }
  check_same_outcomes(ts, py);
  check_same_outcomes(ts, rm);
  check_same_actions(kind);
}

}  // namespace

TEST_CASE("The state MLP gives identical episodes through torchscript, python and remote",
          "[bc][example]") {
  three_ways("mlp", 4);
}

TEST_CASE("The image CNN gives identical episodes through torchscript, python and remote",
          "[bc][example]") {
  three_ways("cnn", 2);
}
