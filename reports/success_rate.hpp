// A success rate with its Wilson interval: the one number every report, the
// robustness section and the CLI summaries quote, over episodes that count.
#pragma once

#include "metrics/proportion_interval.hpp"

namespace gauntlet::reports {

struct Rate {
  int trials = 0;  // episodes that count for the policy (sim_error excluded)
  int successes = 0;
  double rate = 0.0;       // successes / trials (0 when no trials)
  metrics::Interval ci95;  // Wilson
};

Rate make_rate(int successes, int trials);

}  // namespace gauntlet::reports
