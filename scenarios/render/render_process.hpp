// The client side of a worker's render process (gauntlet-render-server; see
// render_ipc.hpp for why rendering leaves the worker's process).
#pragma once

#include <mujoco/mujoco.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gauntlet::render {

class RenderProcess {
 public:
  // Starts the server and checks that it speaks our protocol. Throws
  // RuntimeFailure saying why when it cannot.
  static std::unique_ptr<RenderProcess> spawn();
  // The executable spawn() starts: $GAUNTLET_RENDER_SERVER, else
  // gauntlet-render-server beside this program, else the one this build made.
  // Empty when none exists.
  static std::string server_path();
  ~RenderProcess();
  RenderProcess(const RenderProcess&) = delete;
  RenderProcess& operator=(const RenderProcess&) = delete;

  // A renderer for `model` as it is now (textures included); returns its id.
  std::uint32_t create(const mjModel* model);
  void destroy(std::uint32_t renderer) noexcept;
  // Draws `scene` and reads width*height*3 RGB bytes and width*height depths
  // (bottom row first) into those of `rgb` and `depth` that are not null.
  void render(std::uint32_t renderer, const mjvScene& scene, int width, int height,
              std::uint8_t* rgb, float* depth = nullptr);
  void upload_texture(std::uint32_t renderer, const mjModel* model, int texture_id);

  pid_t pid() const { return pid_; }

 private:
  RenderProcess() = default;
  // Sends a request and reads the reply's payload into `reply`; throws on an
  // error reply or a dead server.
  void call(std::uint32_t op, std::uint32_t renderer, const void* a, std::size_t a_bytes,
            const void* b, std::size_t b_bytes, std::vector<std::uint8_t>& reply);
  [[noreturn]] void died(const std::string& doing);

  int fd_ = -1;
  pid_t pid_ = -1;
  bool dead_ = false;
  std::vector<std::uint8_t> scene_bytes_;
  std::vector<std::uint8_t> reply_;
};

}  // namespace gauntlet::render
