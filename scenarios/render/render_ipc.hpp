// The wire format between a renderer and its render process
// (gauntlet-render-server): length-prefixed messages on a Unix socket pair.
//
// Why a process: Mesa's CPU rasteriser (llvmpipe) rasterises every context of
// a process through one rasteriser behind one mutex (one screen per process in
// OSMesa), so N workers rendering in one process take turns. One render
// process per worker gives each worker its own rasteriser. The caller builds
// the abstract scene (mjv_updateScene, cheap) and ships it; the process draws
// it (mjr_render) and ships the pixels back.
#pragma once

#include <mujoco/mujoco.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::render::ipc {

inline constexpr std::uint32_t kProtocolVersion = 2;

enum class Op : std::uint32_t {
  kHello = 1,          // payload: Hello; reply: empty
  kCreate = 2,         // payload: the model as MJB (mj_saveModel); reply: the renderer id (u32)
  kDestroy = 3,        // renderer; reply: empty
  kRender = 4,         // renderer; payload: RenderArgs + scene; reply: the RGB bytes
                       // (w*h*3) then the depths (w*h floats) asked for, bottom row first
  kUploadTexture = 5,  // renderer; payload: i32 texture id + its bytes of tex_rgb; reply: empty
};

struct Header {
  std::uint32_t op = 0;
  std::uint32_t renderer = 0;
  std::uint64_t bytes = 0;  // payload that follows
};

struct Reply {
  std::uint32_t status = 0;  // 0: ok; else the payload is an error message
  std::uint32_t reserved = 0;
  std::uint64_t bytes = 0;
};

// Both sides must agree on the structs they copy byte for byte.
struct Hello {
  std::uint32_t version = kProtocolVersion;
  std::uint32_t geom_size = sizeof(mjvGeom);
  std::uint32_t scene_size = sizeof(mjvScene);
  std::uint32_t light_size = sizeof(mjvLight);
};

struct RenderArgs {
  std::int32_t width = 0;
  std::int32_t height = 0;
  std::int32_t rgb = 1;    // send the colours
  std::int32_t depth = 0;  // send the depths
};

// Full reads and writes that retry on EINTR. write_all never raises SIGPIPE.
// Both return false when the peer is gone (or, for reads, after `timeout_ms`
// without data; negative: wait forever).
bool write_all(int fd, const void* data, std::size_t bytes);
bool read_all(int fd, void* data, std::size_t bytes, int timeout_ms = -1);

// The scene as bytes: the struct (its pointers meaningless on the other side),
// then ngeom geoms, then the skins' vertices and normals.
void pack_scene(const mjvScene& scene, std::vector<std::uint8_t>& out);
// Unpacks into `scene`, made by mjv_makeScene for the same model (its own
// buffers are kept). Returns an error, empty when the bytes fit.
std::string unpack_scene(const std::uint8_t* data, std::size_t bytes, mjvScene& scene);

// Bytes of texture `t` in tex_rgb.
std::size_t texture_bytes(const mjModel* model, int t);

}  // namespace gauntlet::render::ipc
