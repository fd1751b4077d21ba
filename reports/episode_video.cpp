#include "reports/episode_video.hpp"

#include <webp/encode.h>
#include <webp/mux.h>

#include <algorithm>
#include <cstdio>

#include "harness/env.hpp"
#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "reports/mp4/mp4_video.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {

std::string encode_animated_webp(const std::vector<Image>& frames, int frame_ms, int quality) {
  if (frames.empty()) return {};
  const int w = frames.front().width;
  const int h = frames.front().height;
  WebPAnimEncoderOptions anim;
  if (!WebPAnimEncoderOptionsInit(&anim)) throw RuntimeFailure("WebP: version mismatch");
  anim.anim_params.loop_count = 0;
  WebPAnimEncoder* enc = WebPAnimEncoderNew(w, h, &anim);
  if (!enc) throw RuntimeFailure("WebP: cannot create the animation encoder");
  WebPConfig config;
  WebPConfigInit(&config);
  config.quality = static_cast<float>(quality);
  config.method = 2;  // fast; these are small clips
  int timestamp = 0;
  bool ok = true;
  for (const Image& f : frames) {
    if (f.width != w || f.height != h) continue;
    WebPPicture pic;
    WebPPictureInit(&pic);
    pic.width = w;
    pic.height = h;
    pic.use_argb = 1;
    ok = ok && WebPPictureImportRGB(&pic, f.rgb.data(), w * 3) &&
         WebPAnimEncoderAdd(enc, &pic, timestamp, &config);
    WebPPictureFree(&pic);
    timestamp += frame_ms;
  }
  ok = ok && WebPAnimEncoderAdd(enc, nullptr, timestamp, nullptr);
  WebPData data;
  WebPDataInit(&data);
  ok = ok && WebPAnimEncoderAssemble(enc, &data);
  std::string out;
  if (ok) out.assign(reinterpret_cast<const char*>(data.bytes), data.size);
  WebPDataClear(&data);
  WebPAnimEncoderDelete(enc);
  if (!ok) throw RuntimeFailure("WebP: encoding the episode video failed");
  return out;
}

std::filesystem::path media_dir(const std::filesystem::path& results) {
  return results.string() + ".media";
}

std::string video_file_name(const EpisodeKey& key) {
  // Bounded (at most 220 bytes, under every file system's 255) and hashed when
  // a name had to change, so a long or hostile task id cannot abort a run.
  return safe_file_name(key.task_id, 100) + "__" + safe_file_name(key.perturbation_id, 100) + "__" +
         std::to_string(key.episode_index) + ".webp";
}

std::string mp4_file_name(const EpisodeKey& key, const std::string& camera) {
  return safe_file_name(key.task_id, 100) + "__" + safe_file_name(key.perturbation_id, 60) + "__" +
         std::to_string(key.episode_index) + "__" + safe_file_name(camera, 40) + ".mp4";
}

void parse_video_formats(const std::string& text, VideoOptions& options) {
  options.webp = false;
  options.mp4 = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string f = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (f == "webp") {
      options.webp = true;
    } else if (f == "mp4") {
      options.mp4 = true;
    } else {
      throw InputError("--video-format: unknown format '" + f + "'; valid: webp, mp4, webp,mp4");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

struct EpisodeVideoRecorder::Clip {
  bool active = false;
  EpisodeKey key;
  std::vector<Image> frames;
  int step = 0;
  // MP4: per camera the policy saw, its observations.
  std::vector<std::string> cameras;
  std::vector<std::vector<Image>> camera_frames;
  bool rendered = false;  // the policy saw no camera: the agentview, rendered

  void keep_frames(Env& env, const VideoOptions& o) {
    if (rendered) {
      Image img;
      if (env.render(o.camera, o.width, o.height, img)) camera_frames[0].push_back(std::move(img));
      return;
    }
    const Observation& obs = env.observation();
    for (std::size_t c = 0; c < cameras.size() && c < obs.cameras.size(); ++c)
      camera_frames[c].push_back(obs.cameras[c].image);
  }
};

EpisodeVideoRecorder::EpisodeVideoRecorder(std::filesystem::path dir, int slots,
                                           VideoOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  for (int i = 0; i < slots; ++i) clips_.push_back(std::make_unique<Clip>());
  if (options_.episodes_per_task > 0) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      throw InputError("cannot create the video folder '" + dir_.string() + "': " + ec.message());
  }
}

EpisodeVideoRecorder::~EpisodeVideoRecorder() = default;

bool EpisodeVideoRecorder::records(const EpisodeSpec& spec) const {
  return spec.episode_index < options_.episodes_per_task;
}

void EpisodeVideoRecorder::begin_episode(int slot, const EpisodeSpec& spec, Env& env) {
  Clip& c = *clips_.at(static_cast<std::size_t>(slot));
  c = Clip{};
  c.key = EpisodeKey{spec.task_id, spec.perturbation.id(), spec.episode_index};
  if (options_.webp) {
    c.frames.emplace_back();
    if (!env.render(options_.camera, options_.width, options_.height, c.frames.back()))
      c.frames.clear();
  }
  if (options_.mp4) {
    for (const auto& cam : env.observation().cameras) c.cameras.push_back(cam.name);
    if (c.cameras.empty()) {
      c.cameras.push_back(options_.camera);
      c.rendered = true;
    }
    c.camera_frames.resize(c.cameras.size());
    c.keep_frames(env, options_);
  }
  c.active = !c.frames.empty() || !c.cameras.empty();
}

void EpisodeVideoRecorder::record_step(int, const Observation&, std::span<const float>) {}

void EpisodeVideoRecorder::record_outcome(int slot, const StepResult& result, Env& env) {
  Clip& c = *clips_.at(static_cast<std::size_t>(slot));
  if (!c.active) return;
  ++c.step;
  if (c.step % options_.every == 0 || result.success || result.sim_error) {
    if (!c.frames.empty()) {
      c.frames.emplace_back();
      if (!env.render(options_.camera, options_.width, options_.height, c.frames.back()))
        c.frames.pop_back();
    }
    if (!c.cameras.empty()) c.keep_frames(env, options_);
  }
}

void EpisodeVideoRecorder::end_episode(int slot, const EpisodeResult& /*result*/) {
  Clip& c = *clips_.at(static_cast<std::size_t>(slot));
  if (c.active && c.frames.size() > 1) {
    // Hold the last frame for a second so the outcome is visible before the loop.
    for (int i = 0; i < 10; ++i) c.frames.push_back(c.frames.back());
    const std::string bytes = encode_animated_webp(c.frames, 50 * options_.every);
    write_text_file(dir_ / video_file_name(c.key), bytes);
  }
  for (std::size_t k = 0; c.active && k < c.cameras.size(); ++k) {
    if (c.camera_frames[k].size() < 2) continue;
    const int fps = std::max(1, options_.control_hz / std::max(1, options_.every));
    write_mp4(dir_ / mp4_file_name(c.key, c.cameras[k]), c.camera_frames[k], fps);
  }
  c = Clip{};
}

}  // namespace gauntlet::reports
