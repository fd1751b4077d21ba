#include "reports/mp4/mp4_video.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <mutex>

#include "harness/errors.hpp"

namespace gauntlet::reports {
namespace {

// libav (and x264 through it) prints statistics on stderr by default; our
// errors carry libav's message.
void quiet_libav() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

std::string av_error(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

void check(int code, const std::string& what) {
  if (code < 0) throw RuntimeFailure("MP4 video: " + what + ": " + av_error(code));
}

struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct OutputDeleter {
  void operator()(AVFormatContext* f) const {
    if (f->pb) avio_closep(&f->pb);
    avformat_free_context(f);
  }
};
struct InputDeleter {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};

using CodecContext = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using Frame = std::unique_ptr<AVFrame, FrameDeleter>;
using Packet = std::unique_ptr<AVPacket, PacketDeleter>;
using Sws = std::unique_ptr<SwsContext, SwsDeleter>;

// Sends `frame` (nullptr: flush) and writes every packet the encoder returns.
void encode(AVCodecContext* enc, AVFrame* frame, AVFormatContext* out, AVStream* stream,
            AVPacket* pkt) {
  check(avcodec_send_frame(enc, frame), "encoding a frame");
  while (true) {
    const int r = avcodec_receive_packet(enc, pkt);
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
    check(r, "receiving a packet");
    // Without a duration the muxer's edit list ends at the last frame's start
    // and players (and decoders) drop that frame.
    if (pkt->duration <= 0) pkt->duration = 1;
    av_packet_rescale_ts(pkt, enc->time_base, stream->time_base);
    pkt->stream_index = stream->index;
    check(av_interleaved_write_frame(out, pkt), "writing a packet");
  }
}

}  // namespace

void write_mp4(const std::filesystem::path& path, const std::vector<Image>& frames, int fps) {
  quiet_libav();
  if (frames.empty()) throw InputError("MP4 video '" + path.string() + "': no frames");
  if (fps < 1 || fps > 240) throw InputError("MP4 video: frame rate must be 1..240");
  const int w = frames.front().width;
  const int h = frames.front().height;
  for (const Image& f : frames) {
    if (f.width != w || f.height != h ||
        f.rgb.size() != static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3) {
      throw InputError("MP4 video '" + path.string() + "': frames differ in size");
    }
  }
  if (w < 2 || h < 2) throw InputError("MP4 video: frames must be at least 2x2");
  const int W = w + (w & 1);
  const int H = h + (h & 1);

  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_H264);
  if (!codec) throw RuntimeFailure("MP4 video: this libavcodec has no H.264 encoder (libx264)");
  const std::filesystem::path tmp = path.string() + ".tmp";
  AVFormatContext* raw_out = nullptr;
  check(avformat_alloc_output_context2(&raw_out, nullptr, "mp4", tmp.c_str()),
        "creating the MP4 container");
  const std::unique_ptr<AVFormatContext, OutputDeleter> out(raw_out);
  AVStream* stream = avformat_new_stream(out.get(), nullptr);
  if (!stream) throw RuntimeFailure("MP4 video: cannot add a stream");
  const CodecContext enc(avcodec_alloc_context3(codec));
  if (!enc) throw RuntimeFailure("MP4 video: cannot allocate the encoder");
  enc->width = W;
  enc->height = H;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = AVRational{1, fps};
  enc->framerate = AVRational{fps, 1};
  enc->gop_size = 2 * fps;
  enc->max_b_frames = 0;  // every frame shows at its own time, no reordering delay
  enc->thread_count = 1;  // small clips; the run's workers already use the cores
  if (out->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* options = nullptr;
  av_dict_set(&options, "preset", "veryfast", 0);
  av_dict_set(&options, "crf", "23", 0);
  const int opened = avcodec_open2(enc.get(), codec, &options);
  av_dict_free(&options);
  check(opened, "opening the H.264 encoder");
  check(avcodec_parameters_from_context(stream->codecpar, enc.get()), "stream parameters");
  stream->time_base = enc->time_base;
  check(avio_open(&out->pb, tmp.c_str(), AVIO_FLAG_WRITE), "opening " + tmp.string());
  check(avformat_write_header(out.get(), nullptr), "writing the MP4 header");

  const Sws sws(sws_getContext(w, h, AV_PIX_FMT_RGB24, W, H, AV_PIX_FMT_YUV420P, SWS_BILINEAR,
                               nullptr, nullptr, nullptr));
  const Frame frame(av_frame_alloc());
  const Packet pkt(av_packet_alloc());
  if (!sws || !frame || !pkt) throw RuntimeFailure("MP4 video: out of memory");
  frame->format = AV_PIX_FMT_YUV420P;
  frame->width = W;
  frame->height = H;
  check(av_frame_get_buffer(frame.get(), 0), "allocating a frame");
  for (std::size_t i = 0; i < frames.size(); ++i) {
    check(av_frame_make_writable(frame.get()), "frame buffer");
    const std::uint8_t* src[1] = {frames[i].rgb.data()};
    const int stride[1] = {3 * w};
    sws_scale(sws.get(), src, stride, 0, h, frame->data, frame->linesize);
    frame->pts = static_cast<std::int64_t>(i);
    encode(enc.get(), frame.get(), out.get(), stream, pkt.get());
  }
  encode(enc.get(), nullptr, out.get(), stream, pkt.get());
  check(av_write_trailer(out.get()), "writing the MP4 trailer");
  check(avio_closep(&out->pb), "closing " + tmp.string());
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw RuntimeFailure("MP4 video: cannot move it to '" + path.string() + "'");
}

Mp4Contents decode_mp4(const std::filesystem::path& path) {
  quiet_libav();
  const std::string where = "MP4 video '" + path.string() + "'";
  AVFormatContext* raw_in = nullptr;
  if (avformat_open_input(&raw_in, path.c_str(), nullptr, nullptr) < 0)
    throw InputError(where + ": cannot open it");
  const std::unique_ptr<AVFormatContext, InputDeleter> in(raw_in);
  if (avformat_find_stream_info(in.get(), nullptr) < 0)
    throw InputError(where + ": no stream information");
  const AVCodec* codec = nullptr;
  const int index = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (index < 0 || !codec) throw InputError(where + ": no decodable video stream");
  AVStream* stream = in->streams[index];
  const CodecContext dec(avcodec_alloc_context3(codec));
  if (!dec || avcodec_parameters_to_context(dec.get(), stream->codecpar) < 0 ||
      avcodec_open2(dec.get(), codec, nullptr) < 0) {
    throw InputError(where + ": cannot open its decoder");
  }
  Mp4Contents out;
  out.codec = codec->name;
  out.width = dec->width;
  out.height = dec->height;
  out.fps = av_q2d(stream->avg_frame_rate);
  const Frame frame(av_frame_alloc());
  const Packet pkt(av_packet_alloc());
  Sws sws;
  const auto receive = [&] {
    while (avcodec_receive_frame(dec.get(), frame.get()) >= 0) {
      if (!sws) {
        sws.reset(sws_getContext(
            frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), frame->width,
            frame->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr));
        if (!sws) throw InputError(where + ": cannot convert its pixel format");
      }
      Image img;
      img.width = frame->width;
      img.height = frame->height;
      img.rgb.resize(static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) *
                     3);
      std::uint8_t* dst[1] = {img.rgb.data()};
      const int stride[1] = {3 * img.width};
      sws_scale(sws.get(), frame->data, frame->linesize, 0, frame->height, dst, stride);
      out.frames.push_back(std::move(img));
    }
  };
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == index) {
      if (avcodec_send_packet(dec.get(), pkt.get()) < 0) {
        av_packet_unref(pkt.get());
        throw InputError(where + ": a packet does not decode");
      }
      receive();
    }
    av_packet_unref(pkt.get());
  }
  avcodec_send_packet(dec.get(), nullptr);
  receive();
  return out;
}

}  // namespace gauntlet::reports
