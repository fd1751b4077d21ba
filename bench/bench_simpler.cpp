// Visual matching's cost per frame (SimplerEnv's green screen,
// render::OverlayCompositor) against bare rendering of the same camera,
// resolution and state in the same run: `overlay_cost_ratio` = composited
// frame / bare frame (target <= 1.1). The composited frame is what the env
// does per observation: one render with depth read back, the mask from the
// world body's depth (rendered again every 80 frames, an episode's worth of
// steps, as a new episode does), the overlay pasted. The arm moves between
// frames (untimed) so that the frames differ. `two_pass_ratio` is the same
// for the previous method, a second (segmentation) render per frame.
#include <benchmark/benchmark.h>

#include <chrono>
#include <vector>

#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "scenarios/mujoco/mujoco_env.hpp"
#include "scenarios/render/gl_context.hpp"
#include "scenarios/render/overlay.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;
using Clock = std::chrono::steady_clock;

namespace {

const char* kSuites[] = {"simpler-google-visual-matching", "simpler-widowx-visual-matching"};
constexpr int kEpisodeFrames = 80;

void BM_OverlayFrame(benchmark::State& state) {
  const auto suite = fixtures::builtin_registry().load_suite(kSuites[state.range(0)]);
  const int width = static_cast<int>(state.range(1));
  const int height = static_cast<int>(state.range(2));
  ObservationRequest request;
  request.cameras = {"agentview"};
  request.width = width;
  request.height = height;
  auto env = suite->make_env(request);
  auto* menv = dynamic_cast<mj::MujocoEnv*>(env.get());
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  env->reset(plan_episodes(*suite, plan).at(0));
  auto gl = render::GlContext::create_offscreen();
  render::SceneRenderer renderer(*gl, menv->model());
  const int cam = mj_name2id(menv->model(), mjOBJ_CAMERA, "agentview");
  const Image overlay = render::standin_overlay("google_coke_can");
  render::OverlayCompositor compositor;
  Image bare, composited, two_pass;
  std::vector<std::uint8_t> mask;
  Image overlay_resized;
  render::resize_nearest(overlay, width, height, overlay_resized);
  std::vector<float> action(7, 0.0F);
  double bare_s = 0, overlay_s = 0, two_pass_s = 0;
  long frames = 0;
  for (auto _ : state) {
    if (frames % kEpisodeFrames == 0) compositor.invalidate();
    const auto t0 = Clock::now();
    renderer.render(menv->model(), menv->data(), cam, width, height, bare);
    const auto t1 = Clock::now();
    compositor.render(renderer, menv->model(), menv->data(), cam, width, height, overlay,
                      composited);
    const auto t2 = Clock::now();
    renderer.render(menv->model(), menv->data(), cam, width, height, bare);
    renderer.render_foreground(menv->model(), menv->data(), cam, width, height, mask);
    render::composite(bare, mask, overlay_resized, two_pass);
    const auto t3 = Clock::now();
    two_pass_s += std::chrono::duration<double>(t3 - t2).count();
    benchmark::DoNotOptimize(bare.rgb.data());
    benchmark::DoNotOptimize(composited.rgb.data());
    bare_s += std::chrono::duration<double>(t1 - t0).count();
    overlay_s += std::chrono::duration<double>(t2 - t1).count();
    ++frames;
    state.PauseTiming();
    action[0] = (frames / 10) % 2 == 0 ? 0.4F : -0.4F;
    action[1] = (frames / 20) % 2 == 0 ? 0.6F : -0.6F;
    action[2] = (frames / 15) % 2 == 0 ? -0.3F : 0.3F;
    env->step(action, false);
    state.ResumeTiming();
  }
  state.counters["bare_ms_per_frame"] = 1e3 * bare_s / static_cast<double>(frames);
  state.counters["overlay_ms_per_frame"] = 1e3 * overlay_s / static_cast<double>(frames);
  state.counters["overlay_cost_ratio"] = overlay_s / bare_s;
  state.counters["two_pass_ratio"] = two_pass_s / bare_s;
}
// Google robot at the suite's 160x128 and at 640x512 (SimplerEnv's camera);
// WidowX at the suite's size.
BENCHMARK(BM_OverlayFrame)
    ->Args({0, 160, 128})
    ->Args({0, 640, 512})
    ->Args({1, 160, 128})
    ->Iterations(800)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
