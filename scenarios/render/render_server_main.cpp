// gauntlet-render-server: one worker's private OpenGL renderer (see
// render_ipc.hpp for why it is a process). Spawned by RenderProcess with its
// end of a socket pair as fd 3; draws the scenes it is sent until the socket
// closes (its parent finished or died). It ignores the terminal's signals: the
// parent decides when a run stops and closes the socket.
#include <mujoco/mujoco.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/render/gl_backend.hpp"
#include "scenarios/render/render_ipc.hpp"

namespace ipc = gauntlet::render::ipc;

namespace {

constexpr int kSocket = 3;

struct Renderer {
  mjModel* model = nullptr;
  mjvScene scene{};
  mjrContext context{};
  Renderer() = default;
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;
  ~Renderer() {
    mjr_freeContext(&context);
    mjv_freeScene(&scene);
    mj_deleteModel(model);
  }
};

bool reply(std::uint32_t status, const void* data, std::size_t bytes) {
  ipc::Reply r;
  r.status = status;
  r.bytes = bytes;
  return ipc::write_all(kSocket, &r, sizeof r) &&
         (bytes == 0 || ipc::write_all(kSocket, data, bytes));
}

bool fail(const std::string& why) {
  return reply(1, why.data(), why.size());
}

std::unique_ptr<Renderer> load(const std::vector<std::uint8_t>& mjb, std::string& error) {
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  if (mj_makeEmptyFileVFS(vfs.get(), "model.mjb", static_cast<int>(mjb.size())) != 0) {
    error = "cannot hold the model in a virtual file";
    return nullptr;
  }
  std::memcpy(vfs->filedata[0], mjb.data(), mjb.size());
  auto r = std::make_unique<Renderer>();
  r->model = mj_loadModel("model.mjb", vfs.get());
  mj_deleteVFS(vfs.get());
  if (r->model == nullptr) {
    error = "cannot load the model sent";
    return nullptr;
  }
  mjv_defaultScene(&r->scene);
  mjv_makeScene(r->model, &r->scene, 2000);
  mjr_defaultContext(&r->context);
  mjr_makeContext(r->model, &r->context, mjFONTSCALE_100);
  mjr_setBuffer(mjFB_OFFSCREEN, &r->context);
  if (r->context.currentBuffer != mjFB_OFFSCREEN) {
    error = "offscreen framebuffer not available";
    return nullptr;
  }
  return r;
}

// One request; false ends the server (the socket is gone or the stream is
// out of step).
bool serve(std::map<std::uint32_t, std::unique_ptr<Renderer>>& renderers, std::uint32_t& next_id,
           std::vector<std::uint8_t>& payload, std::vector<std::uint8_t>& pixels,
           std::vector<float>& depths) {
  ipc::Header h;
  if (!ipc::read_all(kSocket, &h, sizeof h)) return false;
  if (h.bytes > (std::uint64_t{1} << 32)) return false;
  payload.resize(h.bytes);
  if (h.bytes > 0 && !ipc::read_all(kSocket, payload.data(), payload.size())) return false;
  const auto op = static_cast<ipc::Op>(h.op);
  if (op == ipc::Op::kHello) {
    const ipc::Hello mine;
    ipc::Hello theirs;
    if (payload.size() != sizeof theirs) return fail("hello of the wrong size");
    std::memcpy(&theirs, payload.data(), sizeof theirs);
    if (std::memcmp(&mine, &theirs, sizeof mine) != 0) {
      return fail("render server built from another MuJoCo or protocol version");
    }
    return reply(0, nullptr, 0);
  }
  if (op == ipc::Op::kCreate) {
    std::string error;
    auto r = load(payload, error);
    if (!r) return fail(error);
    const std::uint32_t id = next_id++;
    renderers[id] = std::move(r);
    return reply(0, &id, sizeof id);
  }
  const auto it = renderers.find(h.renderer);
  if (it == renderers.end()) return fail("no renderer " + std::to_string(h.renderer));
  Renderer& r = *it->second;
  switch (op) {
    case ipc::Op::kDestroy:
      renderers.erase(it);
      return reply(0, nullptr, 0);
    case ipc::Op::kRender: {
      ipc::RenderArgs args;
      if (payload.size() < sizeof args) return fail("render request too short");
      std::memcpy(&args, payload.data(), sizeof args);
      if (args.width <= 0 || args.height <= 0 || args.width > r.context.offWidth ||
          args.height > r.context.offHeight) {
        return fail("image " + std::to_string(args.width) + "x" + std::to_string(args.height) +
                    " does not fit the offscreen buffer " + std::to_string(r.context.offWidth) +
                    "x" + std::to_string(r.context.offHeight));
      }
      if (std::string why = ipc::unpack_scene(payload.data() + sizeof args,
                                              payload.size() - sizeof args, r.scene);
          !why.empty()) {
        return fail(why);
      }
      mjr_setBuffer(mjFB_OFFSCREEN, &r.context);
      const mjrRect viewport{0, 0, args.width, args.height};
      mjr_render(viewport, &r.scene, &r.context);
      const std::size_t n =
          static_cast<std::size_t>(args.width) * static_cast<std::size_t>(args.height);
      const std::size_t rgb_bytes = args.rgb != 0 ? 3 * n : 0;
      const std::size_t depth_bytes = args.depth != 0 ? sizeof(float) * n : 0;
      pixels.resize(rgb_bytes + depth_bytes);
      depths.resize(args.depth != 0 ? n : 0);
      mjr_readPixels(args.rgb != 0 ? pixels.data() : nullptr,
                     args.depth != 0 ? depths.data() : nullptr, viewport, &r.context);
      if (depth_bytes > 0) std::memcpy(pixels.data() + rgb_bytes, depths.data(), depth_bytes);
      return reply(0, pixels.data(), pixels.size());
    }
    case ipc::Op::kUploadTexture: {
      std::int32_t tex = -1;
      if (payload.size() < sizeof tex) return fail("texture request too short");
      std::memcpy(&tex, payload.data(), sizeof tex);
      if (tex < 0 || tex >= r.model->ntex) return fail("no texture " + std::to_string(tex));
      const std::size_t bytes = ipc::texture_bytes(r.model, tex);
      if (payload.size() != sizeof tex + bytes) return fail("texture data of the wrong size");
      std::memcpy(r.model->tex_rgb + r.model->tex_adr[tex], payload.data() + sizeof tex, bytes);
      mjr_uploadTexture(r.model, &r.context, tex);
      return reply(0, nullptr, 0);
    }
    default:
      return fail("unknown request " + std::to_string(h.op));
  }
}

}  // namespace

int main() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) std::signal(sig, SIG_IGN);
  // Whatever else the parent left open is not ours to hold.
  for (int fd = kSocket + 1; fd < 1024; ++fd) ::close(fd);
  // MuJoCo's default error handler waits for Enter: say it and go instead
  // (the client sees the socket close and reports how this process ended).
  mju_user_error = [](const char* msg) {
    std::fprintf(stderr, "gauntlet-render-server: MuJoCo: %s\n", msg);
    std::_Exit(1);
  };
  // One rasteriser thread: this process is the worker's renderer, one core.
  setenv("LP_NUM_THREADS", "0", 0);
  std::unique_ptr<gauntlet::render::OffscreenGl> gl;
  try {
    gl = gauntlet::render::OffscreenGl::create(gauntlet::render::choose_gl_api());
  } catch (const std::exception& e) {
    // Say why to the client's first request, then go.
    ipc::Header h;
    std::vector<std::uint8_t> payload;
    if (ipc::read_all(kSocket, &h, sizeof h) && h.bytes < (1u << 20)) {
      payload.resize(h.bytes);
      if (ipc::read_all(kSocket, payload.data(), payload.size())) fail(e.what());
    }
    return 1;
  }
  {
    std::map<std::uint32_t, std::unique_ptr<Renderer>> renderers;
    std::uint32_t next_id = 1;
    std::vector<std::uint8_t> payload;
    std::vector<std::uint8_t> pixels;
    std::vector<float> depths;
    while (serve(renderers, next_id, payload, pixels, depths)) {
    }
  }
  return 0;
}
