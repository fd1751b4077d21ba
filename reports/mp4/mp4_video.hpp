// MP4 (H.264) episode videos through libavcodec/libavformat/libswscale. Plain
// C++ interface: the libav headers stay inside reports/mp4/.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/observation.hpp"

namespace gauntlet::reports {

// Writes equally sized RGB frames as an H.264 MP4 (yuv420p, `fps` frames per
// second) to `path`, through PATH.tmp and a rename. Odd sizes are scaled to
// the next even size (4:2:0 needs even ones). RuntimeFailure when libav has
// no H.264 encoder or a step fails; InputError on no frames or mixed sizes.
void write_mp4(const std::filesystem::path& path, const std::vector<Image>& frames, int fps);

// What a decoder sees in an MP4: the video stream's codec, size and rate and
// every frame decoded (RGB), for tests and checks.
struct Mp4Contents {
  std::string codec;  // libavcodec's name, e.g. "h264"
  int width = 0;
  int height = 0;
  double fps = 0.0;
  std::vector<Image> frames;
};

// InputError naming the file when it cannot be opened or decoded.
Mp4Contents decode_mp4(const std::filesystem::path& path);

}  // namespace gauntlet::reports
