#include "reports/success_rate.hpp"

namespace gauntlet::reports {

Rate make_rate(int successes, int trials) {
  Rate r;
  r.trials = trials;
  r.successes = successes;
  r.rate = trials > 0 ? static_cast<double>(successes) / trials : 0.0;
  r.ci95 = metrics::wilson_interval(successes, trials, 0.95);
  return r;
}

}  // namespace gauntlet::reports
