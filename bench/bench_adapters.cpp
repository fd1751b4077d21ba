// Policy adapters against the model's own time, measured in the same run:
//  (a) torchscript: act() vs the bare TorchScript forward() on the same
//      inputs (target: overhead < 5% of the model's time at batch 8);
//  (b) python: act() vs the policy's own forward() timed inside Python;
//  (c) remote: act() with 2 x 224x224x3 images per observation vs the server's
//      reported inference time, on loopback (target: < 1 ms per call beyond it).
// A small MLP (8 -> 256 -> 256 -> 4x7) at batch 1 and batch 8 (= workers).
// Counters: calls/s, p50/p99 latency, model p50, overhead (medians, robust to
// a busy machine).
#include <benchmark/benchmark.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "adapters/python/register.hpp"
#include "adapters/remote/remote_policy.hpp"
#include "adapters/torchscript/torchscript_policy.hpp"
#include "harness/observation.hpp"
#include "harness/policy_spec.hpp"

using namespace gauntlet;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSource = GAUNTLET_SOURCE_DIR;

std::filesystem::path work_dir() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() /
                   ("gauntlet-bench-adapters-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    const std::string cmd =
        std::string(GAUNTLET_PYTHON) + " " + kSource + "/bench/bench_policies.py " + d.string();
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "cannot write the benchmark model: %s\n", cmd.c_str());
      std::exit(1);
    }
    return d;
  }();
  return dir;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

struct Batch {
  std::vector<Observation> obs;
  std::vector<const Observation*> ptrs;
  std::vector<int> slots;
  std::vector<ActionChunk> out;
  explicit Batch(int n, const std::vector<std::string>& cameras = {}, int size = 0)
      : obs(static_cast<std::size_t>(n)) {
    static const std::vector<std::string> names = {
        "eef_pos_x",        "eef_pos_y",        "eef_pos_z",         "eef_axis_angle_x",
        "eef_axis_angle_y", "eef_axis_angle_z", "gripper_qpos_left", "gripper_qpos_right"};
    for (int i = 0; i < n; ++i) {
      Observation& o = obs[static_cast<std::size_t>(i)];
      o.proprio = {0.1f * static_cast<float>(i), 0.2f, 0.3f, 0.f, 0.f, 0.f, 0.02f, 0.02f};
      o.proprio_names = &names;
      o.instruction = "open the drawer";
      for (const auto& c : cameras) {
        CameraFrame f;
        f.name = c;
        f.image.resize(size, size);
        for (std::size_t k = 0; k < f.image.rgb.size(); ++k)
          f.image.rgb[k] = static_cast<std::uint8_t>(k * 31 + i);
        o.cameras.push_back(std::move(f));
      }
      slots.push_back(i);
    }
    for (const auto& o : obs) ptrs.push_back(&o);
    out.resize(obs.size());
  }
  void act(Policy& p) { p.act(slots, ptrs, out); }
};

// Latency counters shared by the three benchmarks.
void report(benchmark::State& state, const std::vector<double>& call_s,
            const std::vector<double>& model_s, int batch) {
  const double p50 = quantile(call_s, 0.5);
  const double model_p50 = quantile(model_s, 0.5);
  state.counters["calls_per_s"] = 1.0 / std::max(p50, 1e-12);
  state.counters["items_per_s"] = batch / std::max(p50, 1e-12);
  state.counters["p50_us"] = p50 * 1e6;
  state.counters["p99_us"] = quantile(call_s, 0.99) * 1e6;
  state.counters["model_p50_us"] = model_p50 * 1e6;
  state.counters["overhead_us"] = (p50 - model_p50) * 1e6;
  state.counters["overhead_pct"] = model_p50 > 0 ? 100.0 * (p50 - model_p50) / model_p50 : 0.0;
}

void BM_TorchscriptAdapter(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  adapters::TorchscriptOptions o;
  o.model = work_dir() / "mlp.pt";
  o.config = work_dir() / "mlp.yaml";
  o.threads = 1;
  adapters::TorchscriptPolicy policy(o);
  policy.prepare(batch, ee_delta_action_space());
  Batch b(batch);
  for (int i = 0; i < 50; ++i) b.act(policy);  // warm up the graph executor
  std::vector<double> call_s, model_s;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    b.act(policy);
    const double s = seconds_since(t0);
    state.SetIterationTime(s);
    call_s.push_back(s);
    // Interleaved with the adapter's calls, so load changes hit both alike.
    model_s.push_back(policy.model().time_bare_forward(policy.last_inputs(), 1));
  }
  report(state, call_s, model_s, batch);
}
BENCHMARK(BM_TorchscriptAdapter)->Arg(1)->Arg(8)->UseManualTime()->MinTime(2.0);

void BM_PythonAdapter(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  auto policy = adapters::make_python_policy(
      PolicySpec::parse("python:bench_policies:TorchMLP,path=" + kSource + "/bench,threads=1"));
  policy->prepare(batch, ee_delta_action_space());
  Batch b(batch);
  for (int i = 0; i < 50; ++i) b.act(*policy);
  std::vector<double> call_s, model_s;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    b.act(*policy);
    const double s = seconds_since(t0);
    state.SetIterationTime(s);
    call_s.push_back(s);
    model_s.push_back(std::stod(adapters::run_embedded_python(
        "import bench_policies\nresult = bench_policies.LAST['model_s']")));
  }
  report(state, call_s, model_s, batch);
}
BENCHMARK(BM_PythonAdapter)->Arg(1)->Arg(8)->UseManualTime()->MinTime(2.0);

// examples/policy_server/openpi_server.py serving the same MLP.
struct Server {
  pid_t pid = -1;
  int port = 0;
  Server() {
    const auto port_file = work_dir() / "port";
    std::filesystem::remove(port_file);
    pid = fork();
    if (pid == 0) {
      const std::string py = GAUNTLET_PYTHON;
      const std::string script = kSource + "/examples/policy_server/openpi_server.py";
      const std::string path = kSource + "/bench";
      const std::string pf = port_file.string();
      std::freopen("/dev/null", "w", stderr);
      execl(py.c_str(), py.c_str(), script.c_str(), "--policy", "bench_policies:TorchMLP", "--path",
            path.c_str(), "--arg", "threads=1", "--port", "0", "--port-file", pf.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 3000 && port == 0; ++i) {
      if (std::FILE* f = std::fopen(port_file.c_str(), "r")) {
        if (std::fscanf(f, "%d", &port) != 1) port = 0;
        std::fclose(f);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Server() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

void BM_RemoteAdapter(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  static Server server;
  if (server.port == 0) {
    state.SkipWithError("the policy server did not start");
    return;
  }
  adapters::RemoteOptions o;
  o.uri = "ws://127.0.0.1:" + std::to_string(server.port);
  o.image_width = 224;
  o.image_height = 224;
  adapters::RemotePolicy policy(o);
  policy.prepare(batch, ee_delta_action_space());
  Batch b(batch, {"agentview", "wrist"}, 224);
  for (int i = 0; i < 20; ++i) b.act(policy);
  std::vector<double> call_s, model_s;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    b.act(policy);
    const double s = seconds_since(t0);
    state.SetIterationTime(s);
    call_s.push_back(s);
    model_s.push_back(policy.last_server_infer_ms() / 1000.0);
    if (!b.out[0].error.empty()) {
      state.SkipWithError(b.out[0].error.c_str());
      break;
    }
  }
  report(state, call_s, model_s, batch);
  state.counters["overhead_per_item_us"] = state.counters["overhead_us"] / batch;
}
BENCHMARK(BM_RemoteAdapter)->Arg(1)->Arg(8)->UseManualTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
