// An offscreen OpenGL context for MuJoCo's renderer: OSMesa on CPU machines.
// A context is current on one thread at a time; make_current() is cheap when it already is.
#pragma once

#include <memory>
#include <vector>

namespace gauntlet::render {

// Mesa's CPU rasteriser (llvmpipe) starts its own threads per context, one per
// core by default. With one worker per core they only compete with the
// workers, so rasterise on the calling thread instead (LP_NUM_THREADS=0).
// Call before the first context exists; a user's LP_NUM_THREADS wins.
void configure_rasterizer_threads(int workers);

class GlContext {
 public:
  // Throws RuntimeFailure when no offscreen GL implementation is available.
  static std::unique_ptr<GlContext> create_offscreen();
  ~GlContext();
  GlContext(const GlContext&) = delete;
  GlContext& operator=(const GlContext&) = delete;

  void make_current();

 private:
  GlContext() = default;
  void* context_ = nullptr;           // OSMesaContext
  std::vector<unsigned char> dummy_;  // OSMesa needs a bound buffer; MuJoCo renders to its own FBO
};

}  // namespace gauntlet::render
