#include "scenarios/render/gl_context.hpp"

#include <GL/osmesa.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "harness/errors.hpp"

namespace gauntlet::render {

void configure_rasterizer_threads(int workers) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (std::getenv("LP_NUM_THREADS") == nullptr && workers >= static_cast<int>(cores)) {
    setenv("LP_NUM_THREADS", "0", 0);
  }
}

std::unique_ptr<GlContext> GlContext::create_offscreen() {
  std::unique_ptr<GlContext> ctx(new GlContext());
  OSMesaContext c = OSMesaCreateContextExt(OSMESA_RGBA, 24, 8, 8, nullptr);
  if (!c) throw RuntimeFailure("OSMesa: cannot create an offscreen OpenGL context");
  ctx->context_ = c;
  ctx->dummy_.resize(4 * 4 * 4);
  ctx->make_current();
  return ctx;
}

GlContext::~GlContext() {
  if (context_) OSMesaDestroyContext(static_cast<OSMesaContext>(context_));
}

void GlContext::make_current() {
  auto* c = static_cast<OSMesaContext>(context_);
  if (OSMesaGetCurrentContext() == c) return;
  if (!OSMesaMakeCurrent(c, dummy_.data(), GL_UNSIGNED_BYTE, 4, 4)) {
    throw RuntimeFailure("OSMesa: cannot make the offscreen context current");
  }
}

}  // namespace gauntlet::render
