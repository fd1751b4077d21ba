// An offscreen OpenGL context for MuJoCo's renderer: OSMesa on CPU machines.
// A context is current on one thread at a time; make_current() is cheap when it already is.
#pragma once

#include <memory>
#include <vector>

namespace gauntlet::render {

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
