#include "scenarios/render/render_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <thread>

#include "harness/errors.hpp"
#include "scenarios/render/render_ipc.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX gives no header for it

namespace gauntlet::render {

namespace {

// A reply slower than this means the server is stuck: fail the call rather
// than hang the run.
constexpr int kReplyTimeoutMs = 120'000;

bool executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by ") + strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

std::string RenderProcess::server_path() {
  if (const char* env = std::getenv("GAUNTLET_RENDER_SERVER"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::string beside = (self.parent_path() / "gauntlet-render-server").string();
    if (executable(beside)) return beside;
  }
#ifdef GAUNTLET_RENDER_SERVER_BUILD_PATH
  if (executable(GAUNTLET_RENDER_SERVER_BUILD_PATH)) return GAUNTLET_RENDER_SERVER_BUILD_PATH;
#endif
  return {};
}

std::unique_ptr<RenderProcess> RenderProcess::spawn() {
  const std::string path = server_path();
  if (path.empty()) throw RuntimeFailure("render process: gauntlet-render-server not found");
  if (!executable(path)) throw RuntimeFailure("render process: " + path + " is not executable");
  int sv[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    throw RuntimeFailure(std::string("render process: socketpair: ") + std::strerror(errno));
  }
  // dup2 onto itself would keep close-on-exec: move the child's end off fd 3.
  if (sv[1] == 3) {
    const int moved = ::fcntl(sv[1], F_DUPFD_CLOEXEC, 4);
    ::close(sv[1]);
    sv[1] = moved;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::string arg0 = path;
  char* argv[] = {arg0.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    throw RuntimeFailure("render process: cannot start " + path + ": " + std::strerror(rc));
  }
  std::unique_ptr<RenderProcess> p(new RenderProcess());
  p->fd_ = sv[0];
  p->pid_ = pid;
  const ipc::Hello hello;
  p->call(static_cast<std::uint32_t>(ipc::Op::kHello), 0, &hello, sizeof hello, nullptr, 0,
          p->reply_);
  return p;
}

RenderProcess::~RenderProcess() {
  if (fd_ >= 0) ::close(fd_);  // the server exits when its socket closes
  if (pid_ <= 0) return;
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

void RenderProcess::died(const std::string& doing) {
  dead_ = true;
  std::string why = "render process " + std::to_string(pid_) + " stopped answering while " + doing;
  // Its socket closes a moment before it can be reaped: wait up to a second
  // to say how it ended.
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      why += ": it " + describe(status);
      pid_ = -1;
      break;
    }
    if (r < 0 && errno != EINTR) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw RuntimeFailure(why);
}

void RenderProcess::call(std::uint32_t op, std::uint32_t renderer, const void* a,
                         std::size_t a_bytes, const void* b, std::size_t b_bytes,
                         std::vector<std::uint8_t>& reply) {
  const char* doing = op == static_cast<std::uint32_t>(ipc::Op::kHello)    ? "starting"
                      : op == static_cast<std::uint32_t>(ipc::Op::kCreate) ? "loading a model"
                      : op == static_cast<std::uint32_t>(ipc::Op::kRender) ? "rendering"
                                                                           : "updating a renderer";
  if (dead_) throw RuntimeFailure(std::string("render process is gone; cannot go on ") + doing);
  ipc::Header h;
  h.op = op;
  h.renderer = renderer;
  h.bytes = a_bytes + b_bytes;
  if (!ipc::write_all(fd_, &h, sizeof h) || (a_bytes > 0 && !ipc::write_all(fd_, a, a_bytes)) ||
      (b_bytes > 0 && !ipc::write_all(fd_, b, b_bytes))) {
    died(doing);
  }
  ipc::Reply r;
  if (!ipc::read_all(fd_, &r, sizeof r, kReplyTimeoutMs)) died(doing);
  if (r.bytes > (std::uint64_t{1} << 32)) died(doing);
  reply.resize(r.bytes);
  if (r.bytes > 0 && !ipc::read_all(fd_, reply.data(), reply.size(), kReplyTimeoutMs)) died(doing);
  if (r.status != 0) {
    throw RuntimeFailure("render process: " + std::string(reply.begin(), reply.end()));
  }
}

std::uint32_t RenderProcess::create(const mjModel* model) {
  const int size = mj_sizeModel(model);
  std::vector<std::uint8_t> mjb(static_cast<std::size_t>(size));
  mj_saveModel(model, nullptr, mjb.data(), size);
  call(static_cast<std::uint32_t>(ipc::Op::kCreate), 0, mjb.data(), mjb.size(), nullptr, 0, reply_);
  std::uint32_t id = 0;
  if (reply_.size() != sizeof id) throw RuntimeFailure("render process: malformed reply to create");
  std::memcpy(&id, reply_.data(), sizeof id);
  return id;
}

void RenderProcess::destroy(std::uint32_t renderer) noexcept {
  if (dead_) return;
  try {
    call(static_cast<std::uint32_t>(ipc::Op::kDestroy), renderer, nullptr, 0, nullptr, 0, reply_);
  } catch (const std::exception&) {
    // A server that cannot free a renderer frees it when it exits.
  }
}

void RenderProcess::render(std::uint32_t renderer, const mjvScene& scene, int width, int height,
                           std::uint8_t* rgb, float* depth) {
  ipc::RenderArgs args;
  args.width = width;
  args.height = height;
  args.rgb = rgb != nullptr ? 1 : 0;
  args.depth = depth != nullptr ? 1 : 0;
  ipc::pack_scene(scene, scene_bytes_);
  call(static_cast<std::uint32_t>(ipc::Op::kRender), renderer, &args, sizeof args,
       scene_bytes_.data(), scene_bytes_.size(), reply_);
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  const std::size_t rgb_bytes = rgb != nullptr ? 3 * pixels : 0;
  const std::size_t depth_bytes = depth != nullptr ? sizeof(float) * pixels : 0;
  if (reply_.size() != rgb_bytes + depth_bytes) {
    throw RuntimeFailure("render process: image of the wrong size");
  }
  if (rgb != nullptr) std::memcpy(rgb, reply_.data(), rgb_bytes);
  if (depth != nullptr) std::memcpy(depth, reply_.data() + rgb_bytes, depth_bytes);
}

void RenderProcess::upload_texture(std::uint32_t renderer, const mjModel* model, int texture_id) {
  const std::int32_t id = texture_id;
  call(static_cast<std::uint32_t>(ipc::Op::kUploadTexture), renderer, &id, sizeof id,
       model->tex_rgb + model->tex_adr[texture_id], ipc::texture_bytes(model, texture_id), reply_);
}

}  // namespace gauntlet::render
