// What a perturbation looks like: the first observation of a task's episodes at
// each level, rendered into memory (the images of `gauntlet preview` and of the
// HTML report's robustness section). Backend-independent: it drives Env::reset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/observation.hpp"
#include "harness/suite.hpp"

namespace gauntlet::perturb {

struct PreviewRequest {
  std::string task_id;
  std::vector<std::string> dimensions;  // applied together, each at the column's level
  std::vector<int> levels{0, 1, 2, 3, 4, 5};
  int episodes = 3;                  // episode indices 0..episodes-1, with their run seeds
  std::vector<std::string> cameras;  // empty: every camera of the suite
  int width = 0;                     // 0: the suite's image size
  int height = 0;
  std::uint64_t suite_seed = 0;  // 0: the suite's seed
};

struct PreviewImages {
  std::vector<std::string> cameras;
  std::vector<int> levels;
  std::vector<std::uint64_t> seeds;                     // per episode
  std::vector<std::vector<std::vector<Image>>> images;  // [episode][camera][level]
  std::vector<std::vector<std::string>> instructions;   // [episode][level]
  std::vector<std::string> errors;  // resets that failed (their cells stay black)

  const Image& at(std::size_t episode, std::size_t camera, std::size_t level) const {
    return images.at(episode).at(camera).at(level);
  }
};

// InputError for an unknown task, dimension, camera or a level outside 0..5.
// Must run on one thread (the Env's renderer is bound to it).
PreviewImages render_preview(const Suite& suite, const PreviewRequest& request);

}  // namespace gauntlet::perturb
