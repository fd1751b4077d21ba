#include "scenarios/render/render_ipc.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gauntlet::render::ipc {

bool write_all(int fd, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  while (bytes > 0) {
    const ssize_t n = ::send(fd, p, bytes, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<std::size_t>(n);
  }
  return true;
}

bool read_all(int fd, void* data, std::size_t bytes, int timeout_ms) {
  auto* p = static_cast<std::uint8_t*>(data);
  while (bytes > 0) {
    if (timeout_ms >= 0) {
      pollfd pfd{fd, POLLIN, 0};
      const int ready = ::poll(&pfd, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
    }
    const ssize_t n = ::read(fd, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<std::size_t>(n);
  }
  return true;
}

namespace {

std::size_t skin_vertices(const mjvScene& scene) {
  std::size_t n = 0;
  for (int i = 0; i < scene.nskin; ++i) n += static_cast<std::size_t>(scene.skinvertnum[i]);
  return n;
}

// Copies count T's at `offset`; returns the offset after them.
template <typename T>
std::size_t put(std::vector<std::uint8_t>& out, std::size_t offset, const T* data,
                std::size_t count) {
  const std::size_t bytes = count * sizeof(T);
  if (bytes > 0) std::memcpy(out.data() + offset, data, bytes);
  return offset + bytes;
}

}  // namespace

void pack_scene(const mjvScene& scene, std::vector<std::uint8_t>& out) {
  const std::size_t geoms = static_cast<std::size_t>(scene.ngeom);
  const std::size_t verts = skin_vertices(scene);
  out.resize(sizeof(mjvScene) + geoms * sizeof(mjvGeom) + 2 * 3 * verts * sizeof(float));
  std::size_t at = put(out, 0, &scene, 1);
  at = put(out, at, scene.geoms, geoms);
  at = put(out, at, scene.skinvert, 3 * verts);
  put(out, at, scene.skinnormal, 3 * verts);
}

std::string unpack_scene(const std::uint8_t* data, std::size_t bytes, mjvScene& scene) {
  if (bytes < sizeof(mjvScene)) return "scene message shorter than a scene";
  mjvScene sent;
  std::memcpy(&sent, data, sizeof(mjvScene));
  if (sent.ngeom < 0 || sent.ngeom > scene.maxgeom) {
    return "scene has " + std::to_string(sent.ngeom) + " geoms, the buffer holds " +
           std::to_string(scene.maxgeom);
  }
  if (sent.nskin != scene.nskin) return "scene skins differ from the model's";
  if (sent.nlight < 0 || sent.nlight > mjMAXLIGHT) return "scene light count out of range";
  const std::size_t verts = skin_vertices(scene);
  const std::size_t geom_bytes = static_cast<std::size_t>(sent.ngeom) * sizeof(mjvGeom);
  const std::size_t skin_bytes = 2 * 3 * verts * sizeof(float);
  if (bytes != sizeof(mjvScene) + geom_bytes + skin_bytes)
    return "scene message has the wrong size";
  // Keep our buffers, take everything else.
  mjvScene mine = scene;
  scene = sent;
  scene.maxgeom = mine.maxgeom;
  scene.geoms = mine.geoms;
  scene.geomorder = mine.geomorder;
  scene.skinfacenum = mine.skinfacenum;
  scene.skinvertadr = mine.skinvertadr;
  scene.skinvertnum = mine.skinvertnum;
  scene.skinvert = mine.skinvert;
  scene.skinnormal = mine.skinnormal;
  const std::uint8_t* p = data + sizeof(mjvScene);
  std::memcpy(scene.geoms, p, geom_bytes);
  p += geom_bytes;
  if (verts > 0) {
    std::memcpy(scene.skinvert, p, skin_bytes / 2);
    std::memcpy(scene.skinnormal, p + skin_bytes / 2, skin_bytes / 2);
  }
  return {};
}

std::size_t texture_bytes(const mjModel* model, int t) {
  const int end = t + 1 < model->ntex ? model->tex_adr[t + 1] : model->ntexdata;
  return static_cast<std::size_t>(end - model->tex_adr[t]);
}

}  // namespace gauntlet::render::ipc
