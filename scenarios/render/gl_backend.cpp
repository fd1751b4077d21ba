#include "scenarios/render/gl_backend.hpp"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/osmesa.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "harness/errors.hpp"

namespace gauntlet::render {

namespace {

[[noreturn]] void fail(const std::string& why) {
  throw RuntimeFailure(why);
}

// Neither library is linked: MuJoCo loads its GL functions from whichever of
// libEGL and libOSMesa it finds in the process, so a process must hold only
// the one it renders with. Each is opened (RTLD_GLOBAL, for MuJoCo to find)
// when first used.
template <typename F>
F symbol(void* lib, const char* name) {
  void* p = dlsym(lib, name);
  if (p == nullptr) fail(std::string("cannot find ") + name + ": " + dlerror());
  return reinterpret_cast<F>(p);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

void* open_library(const char* name, const char* package) {
  void* lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
  if (lib == nullptr) fail(std::string("cannot load ") + name + " (Debian: " + package + ")");
  return lib;
}

struct OsmesaApi {
  decltype(&OSMesaCreateContextExt) create = nullptr;
  decltype(&OSMesaMakeCurrent) make_current = nullptr;
  decltype(&OSMesaGetCurrentContext) current = nullptr;
  decltype(&OSMesaDestroyContext) destroy = nullptr;
};

const OsmesaApi& osmesa() {
  static const OsmesaApi api = [] {
    void* lib = open_library("libOSMesa.so.8", "libosmesa6");
    OsmesaApi a;
    a.create = symbol<decltype(a.create)>(lib, "OSMesaCreateContextExt");
    a.make_current = symbol<decltype(a.make_current)>(lib, "OSMesaMakeCurrent");
    a.current = symbol<decltype(a.current)>(lib, "OSMesaGetCurrentContext");
    a.destroy = symbol<decltype(a.destroy)>(lib, "OSMesaDestroyContext");
    return a;
  }();
  return api;
}

struct EglApi {
  decltype(&eglGetProcAddress) proc = nullptr;
  decltype(&eglInitialize) initialize = nullptr;
  decltype(&eglChooseConfig) choose_config = nullptr;
  decltype(&eglBindAPI) bind_api = nullptr;
  decltype(&eglCreateContext) create = nullptr;
  decltype(&eglMakeCurrent) make_current = nullptr;
  decltype(&eglGetCurrentContext) current = nullptr;
  decltype(&eglDestroyContext) destroy = nullptr;
};

const EglApi& egl() {
  static const EglApi api = [] {
    void* lib = open_library("libEGL.so.1", "libegl1 and libegl-mesa0");
    EglApi a;
    a.proc = symbol<decltype(a.proc)>(lib, "eglGetProcAddress");
    a.initialize = symbol<decltype(a.initialize)>(lib, "eglInitialize");
    a.choose_config = symbol<decltype(a.choose_config)>(lib, "eglChooseConfig");
    a.bind_api = symbol<decltype(a.bind_api)>(lib, "eglBindAPI");
    a.create = symbol<decltype(a.create)>(lib, "eglCreateContext");
    a.make_current = symbol<decltype(a.make_current)>(lib, "eglMakeCurrent");
    a.current = symbol<decltype(a.current)>(lib, "eglGetCurrentContext");
    a.destroy = symbol<decltype(a.destroy)>(lib, "eglDestroyContext");
    return a;
  }();
  return api;
}

// A GPU's device node: auto mode picks EGL without loading libEGL to ask.
bool gpu_present() {
  for (const char* node : {"/dev/nvidiactl", "/dev/dri/renderD128", "/dev/dri/renderD129"}) {
    if (::access(node, F_OK) == 0) return true;
  }
  return false;
}

struct EglDevices {
  std::vector<EGLDeviceEXT> devices;
  PFNEGLQUERYDEVICESTRINGEXTPROC query_string = nullptr;
  PFNEGLGETPLATFORMDISPLAYEXTPROC platform_display = nullptr;
};

EglDevices egl_devices() {
  EglDevices out;
  const auto proc = egl().proc;
  auto query = reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(proc("eglQueryDevicesEXT"));
  out.query_string =
      reinterpret_cast<PFNEGLQUERYDEVICESTRINGEXTPROC>(proc("eglQueryDeviceStringEXT"));
  out.platform_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(proc("eglGetPlatformDisplayEXT"));
  if (query == nullptr || out.query_string == nullptr || out.platform_display == nullptr) {
    return out;
  }
  EGLint n = 0;
  if (query(0, nullptr, &n) != EGL_TRUE || n <= 0) return out;
  out.devices.resize(static_cast<std::size_t>(n));
  if (query(n, out.devices.data(), &n) != EGL_TRUE) n = 0;
  out.devices.resize(static_cast<std::size_t>(n));
  return out;
}

bool is_software(const EglDevices& d, EGLDeviceEXT device) {
  const char* ext = d.query_string(device, EGL_EXTENSIONS);
  return ext != nullptr && std::strstr(ext, "EGL_MESA_device_software") != nullptr;
}

// The device GAUNTLET_EGL_DEVICE names, else the first GPU, else (only when
// EGL was asked for) the first device of any kind; -1: none.
int pick_device(const EglDevices& d, bool any) {
  const int n = static_cast<int>(d.devices.size());
  if (const char* env = std::getenv("GAUNTLET_EGL_DEVICE"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long i = std::strtol(env, &end, 10);
    if (*end != '\0' || i < 0 || i >= n) {
      fail("GAUNTLET_EGL_DEVICE=" + std::string(env) + ": expected a device index below " +
           std::to_string(n) + " (" + describe_egl_devices() + ")");
    }
    return static_cast<int>(i);
  }
  for (int i = 0; i < n; ++i) {
    if (!is_software(d, d.devices[static_cast<std::size_t>(i)])) return i;
  }
  return any && n > 0 ? 0 : -1;
}

}  // namespace

GlApi choose_gl_api() {
  const char* env = std::getenv("GAUNTLET_GL");
  if (env != nullptr && *env != '\0') {
    if (std::strcmp(env, "osmesa") == 0) return GlApi::kOsmesa;
    if (std::strcmp(env, "egl") == 0) return GlApi::kEgl;
    fail("GAUNTLET_GL=" + std::string(env) +
         ": expected osmesa or egl (unset: EGL on a GPU, else OSMesa)");
  }
  return gpu_present() ? GlApi::kEgl : GlApi::kOsmesa;
}

const char* gl_api_name(GlApi api) {
  return api == GlApi::kEgl ? "egl" : "osmesa";
}

std::string describe_egl_devices() {
  const EglDevices d = egl_devices();
  if (d.devices.empty()) return "no EGL devices";
  std::string out;
  for (std::size_t i = 0; i < d.devices.size(); ++i) {
    const char* ext = d.query_string(d.devices[i], EGL_EXTENSIONS);
    if (!out.empty()) out += "; ";
    out += std::to_string(i) + ": " + (ext != nullptr ? ext : "?");
  }
  return out;
}

std::unique_ptr<OffscreenGl> OffscreenGl::create(GlApi api) {
  std::unique_ptr<OffscreenGl> gl(new OffscreenGl());
  gl->api_ = api;
  if (api == GlApi::kOsmesa) {
    OSMesaContext c = osmesa().create(OSMESA_RGBA, 24, 8, 8, nullptr);
    if (c == nullptr) fail("OSMesa: cannot create an offscreen OpenGL context");
    gl->osmesa_ = c;
    gl->make_current();
    return gl;
  }
  const EglDevices d = egl_devices();
  const int device = pick_device(d, true);
  if (device < 0) fail("EGL: no device (" + describe_egl_devices() + ")");
  EGLDisplay display = d.platform_display(EGL_PLATFORM_DEVICE_EXT,
                                          d.devices[static_cast<std::size_t>(device)], nullptr);
  EGLint major = 0;
  EGLint minor = 0;
  if (display == EGL_NO_DISPLAY || egl().initialize(display, &major, &minor) != EGL_TRUE) {
    fail("EGL: cannot initialise device " + std::to_string(device));
  }
  gl->egl_display_ = display;
  const EGLint attributes[] = {EGL_RED_SIZE,
                               8,
                               EGL_GREEN_SIZE,
                               8,
                               EGL_BLUE_SIZE,
                               8,
                               EGL_ALPHA_SIZE,
                               8,
                               EGL_DEPTH_SIZE,
                               24,
                               EGL_STENCIL_SIZE,
                               8,
                               EGL_RENDERABLE_TYPE,
                               EGL_OPENGL_BIT,
                               EGL_SURFACE_TYPE,
                               EGL_PBUFFER_BIT,
                               EGL_NONE};
  EGLConfig config = nullptr;
  EGLint configs = 0;
  if (egl().choose_config(display, attributes, &config, 1, &configs) != EGL_TRUE || configs < 1) {
    fail("EGL: device " + std::to_string(device) + " has no RGBA8/depth24 OpenGL config");
  }
  if (egl().bind_api(EGL_OPENGL_API) != EGL_TRUE) fail("EGL: desktop OpenGL not available");
  EGLContext context = egl().create(display, config, EGL_NO_CONTEXT, nullptr);
  if (context == EGL_NO_CONTEXT) fail("EGL: cannot create a context");
  gl->egl_context_ = context;
  gl->make_current();
  return gl;
}

OffscreenGl::~OffscreenGl() {
  if (osmesa_ != nullptr) osmesa().destroy(static_cast<OSMesaContext>(osmesa_));
  if (egl_display_ != nullptr) {
    if (egl_context_ != nullptr) {
      if (egl().current() == egl_context_) {
        egl().make_current(egl_display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
      }
      egl().destroy(egl_display_, egl_context_);
    }
    // The display is shared by every context on the device: left initialised.
  }
}

void OffscreenGl::make_current() {
  if (api_ == GlApi::kOsmesa) {
    auto* c = static_cast<OSMesaContext>(osmesa_);
    if (osmesa().current() == c) return;
    if (!osmesa().make_current(c, dummy_, GL_UNSIGNED_BYTE, 4, 4)) {
      fail("OSMesa: cannot make the offscreen context current");
    }
    return;
  }
  if (egl().current() == egl_context_) return;
  if (egl().make_current(egl_display_, EGL_NO_SURFACE, EGL_NO_SURFACE, egl_context_) != EGL_TRUE) {
    fail("EGL: cannot make the context current");
  }
}

}  // namespace gauntlet::render
