// The OpenGL implementation behind an offscreen context: OSMesa (Mesa's CPU
// rasteriser, always there) or EGL (a GPU's driver, headless). MuJoCo's
// renderer loads its GL functions from whichever context is current.
//
// GAUNTLET_GL=osmesa|egl chooses; unset (auto), EGL is used when an EGL
// device other than Mesa's software device exists (a GPU), else OSMesa.
// GAUNTLET_EGL_DEVICE=i picks the i-th EGL device. One process uses one
// implementation: render processes choose for themselves the same way.
#pragma once

#include <memory>
#include <string>

namespace gauntlet::render {

enum class GlApi { kOsmesa, kEgl };

// What GAUNTLET_GL and the machine's EGL devices say; throws RuntimeFailure
// for a GAUNTLET_GL that is neither.
GlApi choose_gl_api();
const char* gl_api_name(GlApi api);

// EGL devices as "i: extensions", GPUs and Mesa's software device alike.
// Loads libEGL: call it only in a process that renders with EGL.
std::string describe_egl_devices();

class OffscreenGl {
 public:
  // Throws RuntimeFailure saying why when the context cannot be made.
  static std::unique_ptr<OffscreenGl> create(GlApi api);
  ~OffscreenGl();
  OffscreenGl(const OffscreenGl&) = delete;
  OffscreenGl& operator=(const OffscreenGl&) = delete;

  void make_current();
  GlApi api() const { return api_; }

 private:
  OffscreenGl() = default;
  GlApi api_ = GlApi::kOsmesa;
  void* osmesa_ = nullptr;       // OSMesaContext
  void* egl_display_ = nullptr;  // EGLDisplay
  void* egl_context_ = nullptr;  // EGLContext
  unsigned char dummy_[4 * 4 * 4] =
      {};  // OSMesa needs a bound buffer; MuJoCo renders to its own FBO
};

}  // namespace gauntlet::render
