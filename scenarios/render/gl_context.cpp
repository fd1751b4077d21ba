#include "scenarios/render/gl_context.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "harness/errors.hpp"

namespace gauntlet::render {

namespace {

std::atomic<RenderIsolation> g_isolation{RenderIsolation::kInProcess};

}  // namespace

void configure_rendering(int workers) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (std::getenv("LP_NUM_THREADS") == nullptr && workers >= static_cast<int>(cores)) {
    setenv("LP_NUM_THREADS", "0", 0);
  }
  RenderIsolation isolation =
      workers > 1 ? RenderIsolation::kProcessPerContext : RenderIsolation::kInProcess;
  if (const char* force = std::getenv("GAUNTLET_RENDER_PROCESS"); force != nullptr) {
    if (std::strcmp(force, "0") == 0) isolation = RenderIsolation::kInProcess;
    if (std::strcmp(force, "1") == 0) isolation = RenderIsolation::kProcessPerContext;
  }
  set_render_isolation(isolation);
}

RenderIsolation render_isolation() {
  return g_isolation.load();
}

void set_render_isolation(RenderIsolation isolation) {
  g_isolation.store(isolation);
}

std::unique_ptr<GlContext> GlContext::create_offscreen() {
  if (render_isolation() == RenderIsolation::kProcessPerContext) {
    try {
      return create_render_process();
    } catch (const RuntimeFailure& e) {
      static std::once_flag warned;
      std::call_once(warned, [&] {
        std::fprintf(stderr,
                     "gauntlet: warning: %s; rendering in this process (workers take turns "
                     "at the rasteriser)\n",
                     e.what());
      });
    }
  }
  return create_in_process();
}

std::unique_ptr<GlContext> GlContext::create_render_process() {
  std::unique_ptr<GlContext> ctx(new GlContext());
  ctx->process_ = RenderProcess::spawn();
  return ctx;
}

std::unique_ptr<GlContext> GlContext::create_in_process() {
  // Chosen once: MuJoCo loads its GL functions from the first context.
  static const GlApi api = choose_gl_api();
  std::unique_ptr<GlContext> ctx(new GlContext());
  ctx->local_ = OffscreenGl::create(api);
  return ctx;
}

GlContext::~GlContext() = default;

void GlContext::make_current() {
  if (local_) local_->make_current();
}

}  // namespace gauntlet::render
