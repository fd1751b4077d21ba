// A render process draws exactly what this process draws, follows texture
// changes, and fails loudly (never hangs) when it dies; it goes when its
// context goes, and the terminal's signals do not stop it.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "harness/errors.hpp"
#include "scenarios/render/gl_context.hpp"
#include "scenarios/render/scene_renderer.hpp"

using namespace gauntlet;

namespace {

// A lit, textured scene with a camera: a checkered floor, a red box, a
// sphere with a textured material.
constexpr const char* kScene = R"(
<mujoco>
  <visual><global offwidth="96" offheight="80"/></visual>
  <asset>
    <texture name="grid" type="2d" builtin="checker" rgb1=".2 .3 .4" rgb2=".8 .8 .7" width="64" height="64"/>
    <material name="grid" texture="grid" texrepeat="4 4"/>
    <texture name="dots" type="2d" builtin="gradient" rgb1="1 .5 0" rgb2="0 .2 1" width="32" height="32"/>
    <material name="dots" texture="dots"/>
  </asset>
  <worldbody>
    <light pos="0 0 3" dir="0 0 -1"/>
    <geom type="plane" size="1 1 .1" material="grid"/>
    <body pos="0.1 0 0.1"><freejoint/><geom type="box" size=".08 .05 .1" rgba="1 0 0 1"/></body>
    <body pos="-0.2 0.1 0.15"><geom type="sphere" size=".12" material="dots"/></body>
    <camera name="view" pos="0.9 -0.9 0.8" xyaxes="1 1 0 -0.4 0.4 0.8"/>
  </worldbody>
</mujoco>)";

struct Scene {
  mjModel* model = nullptr;
  mjData* data = nullptr;
  Scene() {
    const std::string path = std::string(GAUNTLET_TEST_TMP) + "/render_process_scene.xml";
    std::ofstream(path) << kScene;
    char error[512] = "";
    model = mj_loadXML(path.c_str(), nullptr, error, sizeof error);
    REQUIRE(model != nullptr);
    data = mj_makeData(model);
    mj_forward(model, data);
  }
  ~Scene() {
    mj_deleteData(data);
    mj_deleteModel(model);
  }
  Scene(const Scene&) = delete;
  Scene& operator=(const Scene&) = delete;
};

bool alive(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

}  // namespace

TEST_CASE("A render process draws the same pixels as this process", "[render]") {
  Scene s;
  auto local_gl = render::GlContext::create_in_process();
  auto remote_gl = render::GlContext::create_render_process();
  REQUIRE(local_gl->process() == nullptr);
  REQUIRE(remote_gl->process() != nullptr);
  render::SceneRenderer local(*local_gl, s.model);
  render::SceneRenderer remote(*remote_gl, s.model);

  Image a;
  Image b;
  local.render(s.model, s.data, 0, 96, 80, a);
  remote.render(s.model, s.data, 0, 96, 80, b);
  REQUIRE(a.width == 96);
  REQUIRE(b.height == 80);
  CHECK(a.rgb == b.rgb);
  // Not a blank frame: the floor's two checker colours and the red box are seen.
  int red = 0;
  for (std::size_t i = 0; i + 2 < a.rgb.size(); i += 3) {
    red += a.rgb[i] > 150 && a.rgb[i + 1] < 60 && a.rgb[i + 2] < 60;
  }
  CHECK(red > 20);

  // A smaller image from the same buffer, then the box moved: still equal.
  local.render(s.model, s.data, 0, 40, 30, a);
  remote.render(s.model, s.data, 0, 40, 30, b);
  CHECK(a.rgb == b.rgb);
  const Image before = a;
  s.data->qpos[0] -= 0.3;
  mj_forward(s.model, s.data);
  local.render(s.model, s.data, 0, 40, 30, a);
  remote.render(s.model, s.data, 0, 40, 30, b);
  CHECK(a.rgb == b.rgb);
  CHECK(a.rgb != before.rgb);

  // Segmentation, as visual matching uses it.
  std::vector<std::uint8_t> fa;
  std::vector<std::uint8_t> fb;
  local.render_foreground(s.model, s.data, 0, 96, 80, fa);
  remote.render_foreground(s.model, s.data, 0, 96, 80, fb);
  CHECK(fa == fb);
  CHECK(std::count(fa.begin(), fa.end(), 1) > 50);

  // Colour and depth from one draw, and depth alone of the world's geoms, as
  // the overlay compositor asks for them.
  std::vector<float> da;
  std::vector<float> db;
  local.render_depth(s.model, s.data, 0, 96, 80, &a, da);
  remote.render_depth(s.model, s.data, 0, 96, 80, &b, db);
  CHECK(a.rgb == b.rgb);
  CHECK(da == db);
  REQUIRE(da.size() == 96u * 80u);
  CHECK(*std::min_element(da.begin(), da.end()) < *std::max_element(da.begin(), da.end()));
  std::vector<float> world_a;
  std::vector<float> world_b;
  local.render_depth(s.model, s.data, 0, 96, 80, nullptr, world_a, true);
  remote.render_depth(s.model, s.data, 0, 96, 80, nullptr, world_b, true);
  CHECK(world_a == world_b);
  CHECK(world_a != da);

  // A texture edited after the renderer was made reaches both once uploaded.
  local.render(s.model, s.data, 0, 96, 80, a);
  const Image untextured = a;
  const int tex = mj_name2id(s.model, mjOBJ_TEXTURE, "grid");
  REQUIRE(tex >= 0);
  const int bytes = 3 * s.model->tex_width[tex] * s.model->tex_height[tex];
  for (int i = 0; i < bytes; ++i)
    s.model->tex_rgb[s.model->tex_adr[tex] + i] = (i % 3 == 1) ? 255 : 0;
  local.upload_texture(s.model, tex);
  remote.upload_texture(s.model, tex);
  local.render(s.model, s.data, 0, 96, 80, a);
  remote.render(s.model, s.data, 0, 96, 80, b);
  CHECK(a.rgb == b.rgb);
  CHECK(a.rgb != untextured.rgb);

  // Too large for the offscreen buffer: an error naming the sizes, both ways.
  CHECK_THROWS_WITH(remote.render(s.model, s.data, 0, 200, 80, b),
                    Catch::Contains("200x80") && Catch::Contains("96x80"));
}

TEST_CASE("A render process that dies fails the render, and one that is gone is reaped",
          "[render]") {
  Scene s;
  pid_t pid = -1;
  {
    auto gl = render::GlContext::create_render_process();
    render::SceneRenderer renderer(*gl, s.model);
    pid = gl->process()->pid();
    REQUIRE(pid > 0);
    Image img;
    renderer.render(s.model, s.data, 0, 32, 32, img);

    // The terminal's Ctrl-C reaches the whole process group; the parent, not
    // the render process, decides when to stop.
    REQUIRE(::kill(pid, SIGINT) == 0);
    REQUIRE(::kill(pid, SIGTERM) == 0);
    renderer.render(s.model, s.data, 0, 32, 32, img);
    CHECK(img.width == 32);

    REQUIRE(::kill(pid, SIGKILL) == 0);
    CHECK_THROWS_WITH(renderer.render(s.model, s.data, 0, 32, 32, img),
                      Catch::Contains("render process") && Catch::Contains("Killed"));
    // Gone for good: later calls fail at once.
    CHECK_THROWS_WITH(renderer.render(s.model, s.data, 0, 32, 32, img),
                      Catch::Contains("render process is gone"));
  }
  CHECK_FALSE(alive(pid));

  // A healthy one exits when its context goes, and is reaped (no zombie).
  {
    auto gl = render::GlContext::create_render_process();
    render::SceneRenderer renderer(*gl, s.model);
    pid = gl->process()->pid();
  }
  CHECK_FALSE(alive(pid));
}

TEST_CASE("Rendering isolation follows the worker count and GAUNTLET_RENDER_PROCESS", "[render]") {
  ::unsetenv("GAUNTLET_RENDER_PROCESS");
  render::configure_rendering(1);
  CHECK(render::render_isolation() == render::RenderIsolation::kInProcess);
  render::configure_rendering(4);
  CHECK(render::render_isolation() == render::RenderIsolation::kProcessPerContext);
  CHECK(render::GlContext::create_offscreen()->process() != nullptr);
  ::setenv("GAUNTLET_RENDER_PROCESS", "0", 1);
  render::configure_rendering(4);
  CHECK(render::render_isolation() == render::RenderIsolation::kInProcess);
  CHECK(render::GlContext::create_offscreen()->process() == nullptr);
  ::setenv("GAUNTLET_RENDER_PROCESS", "1", 1);
  render::configure_rendering(1);
  CHECK(render::render_isolation() == render::RenderIsolation::kProcessPerContext);

  // A server that cannot be found: an error that says so, and create_offscreen
  // falls back to this process.
  ::setenv("GAUNTLET_RENDER_SERVER", "/nonexistent/gauntlet-render-server", 1);
  CHECK_THROWS_WITH(render::GlContext::create_render_process(),
                    Catch::Contains("/nonexistent/gauntlet-render-server"));
  CHECK(render::GlContext::create_offscreen()->process() == nullptr);
  ::unsetenv("GAUNTLET_RENDER_SERVER");
  ::unsetenv("GAUNTLET_RENDER_PROCESS");
  render::set_render_isolation(render::RenderIsolation::kInProcess);
}

TEST_CASE("EGL renders what OSMesa renders, and a bad GAUNTLET_GL is named", "[render][egl]") {
  // Without a GPU, EGL runs on Mesa's software device, which is enough to
  // check that the EGL path draws through MuJoCo at all. A render
  // process chooses its GL for itself, so it can use EGL beside our OSMesa.
  // (Nothing here may load libEGL into this process: MuJoCo would then take
  // its GL functions from EGL.)
  Scene s;
  auto local_gl = render::GlContext::create_in_process();
  REQUIRE(local_gl->local() != nullptr);
  // Auto: OSMesa here; EGL where a GPU's device node exists.
  CHECK(local_gl->local()->api() == render::choose_gl_api());
  render::SceneRenderer local(*local_gl, s.model);
  ::setenv("GAUNTLET_GL", "egl", 1);
  auto egl_gl = render::GlContext::create_render_process();
  render::SceneRenderer egl(*egl_gl, s.model);
  Image a;
  Image b;
  local.render(s.model, s.data, 0, 96, 80, a);
  egl.render(s.model, s.data, 0, 96, 80, b);
  REQUIRE(a.rgb.size() == b.rgb.size());
  int differ = 0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i) differ += a.rgb[i] != b.rgb[i];
  CHECK(differ == 0);

  ::setenv("GAUNTLET_GL", "vulkan", 1);
  CHECK_THROWS_WITH(render::GlContext::create_render_process(),
                    Catch::Contains("GAUNTLET_GL=vulkan") && Catch::Contains("osmesa or egl"));
  ::unsetenv("GAUNTLET_GL");
}
