#include "reports/episode_video.hpp"

#include <webp/encode.h>
#include <webp/mux.h>

#include <cstdio>

#include "harness/env.hpp"
#include "harness/errors.hpp"
#include "harness/file_names.hpp"
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

struct EpisodeVideoRecorder::Clip {
  bool active = false;
  EpisodeKey key;
  std::vector<Image> frames;
  int step = 0;
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
  c.frames.emplace_back();
  c.active = env.render(options_.camera, options_.width, options_.height, c.frames.back());
  if (!c.active) c.frames.clear();
}

void EpisodeVideoRecorder::record_step(int, const Observation&, std::span<const float>) {}

void EpisodeVideoRecorder::record_outcome(int slot, const StepResult& result, Env& env) {
  Clip& c = *clips_.at(static_cast<std::size_t>(slot));
  if (!c.active) return;
  ++c.step;
  if (c.step % options_.every == 0 || result.success || result.sim_error) {
    c.frames.emplace_back();
    if (!env.render(options_.camera, options_.width, options_.height, c.frames.back()))
      c.frames.pop_back();
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
  c = Clip{};
}

}  // namespace gauntlet::reports
