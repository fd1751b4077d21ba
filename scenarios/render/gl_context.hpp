// An offscreen OpenGL context for MuJoCo's renderer: OSMesa or EGL (see
// gl_backend.hpp), either in this process or in a render process of its own.
// A context is current on one thread at a time; make_current() is cheap when it already is.
#pragma once

#include <memory>

#include "scenarios/render/gl_backend.hpp"
#include "scenarios/render/render_process.hpp"

namespace gauntlet::render {

// Where contexts made by create_offscreen() draw.
//  kInProcess: an OSMesa context in this process. Mesa's llvmpipe draws every
//    context of a process through one rasteriser behind one lock, so workers
//    rendering at once take turns.
//  kProcessPerContext: each context is a gauntlet-render-server process with
//    its own rasteriser, so N workers render on N cores.
enum class RenderIsolation { kInProcess, kProcessPerContext };

// Chooses for a run of `workers` workers: a process per context when there
// is more than one worker, and llvmpipe's own threads off (LP_NUM_THREADS=0)
// when there are at least as many workers as cores. GAUNTLET_RENDER_PROCESS=0
// or =1 forces the isolation; a user's LP_NUM_THREADS wins. Call before the
// first context exists.
void configure_rendering(int workers);
RenderIsolation render_isolation();
void set_render_isolation(RenderIsolation isolation);

class GlContext {
 public:
  // As render_isolation() says; a render process that cannot start falls back
  // to this process with a warning on stderr (once). Throws RuntimeFailure
  // when no offscreen GL implementation is available.
  static std::unique_ptr<GlContext> create_offscreen();
  static std::unique_ptr<GlContext> create_in_process();
  // Throws RuntimeFailure saying why when the render process cannot start.
  static std::unique_ptr<GlContext> create_render_process();
  ~GlContext();
  GlContext(const GlContext&) = delete;
  GlContext& operator=(const GlContext&) = delete;

  // No-op for a render process (it has its own context).
  void make_current();
  // The render process this context draws in; null when in this process.
  RenderProcess* process() { return process_.get(); }
  // The GL implementation of an in-process context (gl_backend.hpp).
  const OffscreenGl* local() const { return local_.get(); }

 private:
  GlContext() = default;
  std::unique_ptr<RenderProcess> process_;
  std::unique_ptr<OffscreenGl> local_;
};

}  // namespace gauntlet::render
