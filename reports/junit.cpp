#include "reports/junit.hpp"

#include <cstdio>

#include "reports/svg.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

// A JUnit case per (policy, task): it errors when policies raised errors or
// returned invalid actions, and always reports the numbers.
class JUnitWriter final : public ReportWriter {
 public:
  std::string format() const override { return "junit"; }
  std::string file_name() const override { return "junit.xml"; }
  void write(const ReportModel& model, const std::filesystem::path& dir) const override {
    std::vector<JUnitSuite> suites;
    for (const auto& p : model.policies) {
      JUnitSuite s;
      s.name = model.suite + "/" + p.name;
      for (const auto& t : p.tasks) {
        JUnitCase c;
        c.classname = model.suite + "." + p.name;
        c.name = t.task_id;
        c.time_s = t.wall_time_s;  // the episodes' wall time, as a CI system shows a case's
        char text[160];
        std::snprintf(text, sizeof text, "success %.1f%% [%.1f, %.1f] over %d episodes",
                      100 * t.success.rate, 100 * t.success.ci95.lo, 100 * t.success.ci95.hi,
                      t.success.trials);
        c.output = text;
        c.properties = {{"success_rate", std::to_string(t.success.rate)},
                        {"ci95_lo", std::to_string(t.success.ci95.lo)},
                        {"ci95_hi", std::to_string(t.success.ci95.hi)},
                        {"episodes", std::to_string(t.success.trials)}};
        int policy_errors = 0;
        for (const char* k : {"policy_error", "invalid_action"}) {
          const auto it = t.terminations.find(k);
          if (it != t.terminations.end()) policy_errors += it->second;
        }
        if (policy_errors > 0)
          c.error =
              std::to_string(policy_errors) + " episodes ended in policy errors or invalid actions";
        s.cases.push_back(std::move(c));
      }
      // A run that does not hold its whole plan fails its own case, so CI sees it.
      JUnitCase plan;
      plan.classname = model.suite + "." + p.name;
      plan.name = "plan-coverage";
      plan.output = p.coverage.summary();
      plan.properties = {{"planned_episodes", std::to_string(p.coverage.planned)},
                         {"finished_episodes", std::to_string(p.coverage.finished)}};
      if (!p.coverage.complete()) {
        plan.failure =
            "incomplete run: " + p.coverage.summary() + " (" + p.coverage.missing() + ")";
      }
      s.cases.push_back(std::move(plan));
      suites.push_back(std::move(s));
    }
    write_text_file(dir / file_name(), junit_xml(suites));
  }
};

}  // namespace

std::string junit_xml(const std::vector<JUnitSuite>& suites) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  for (const auto& s : suites) {
    int failures = 0, errors = 0;
    double time = 0;
    for (const auto& c : s.cases) {
      failures += c.failure.empty() ? 0 : 1;
      errors += c.error.empty() ? 0 : 1;
      time += c.time_s;
    }
    out += "  <testsuite name=\"" + escape_xml(s.name) + "\" tests=\"" +
           std::to_string(s.cases.size()) + "\" failures=\"" + std::to_string(failures) +
           "\" errors=\"" + std::to_string(errors) + "\" time=\"" + seconds(time) + "\">\n";
    for (const auto& c : s.cases) {
      out += "    <testcase classname=\"" + escape_xml(c.classname) + "\" name=\"" +
             escape_xml(c.name) + "\" time=\"" + seconds(c.time_s) + "\">\n";
      if (!c.properties.empty()) {
        out += "      <properties>\n";
        for (const auto& [k, v] : c.properties) {
          out += "        <property name=\"" + escape_xml(k) + "\" value=\"" + escape_xml(v) +
                 "\"/>\n";
        }
        out += "      </properties>\n";
      }
      if (!c.failure.empty()) out += "      <failure message=\"" + escape_xml(c.failure) + "\"/>\n";
      if (!c.error.empty()) out += "      <error message=\"" + escape_xml(c.error) + "\"/>\n";
      if (!c.output.empty()) out += "      <system-out>" + escape_xml(c.output) + "</system-out>\n";
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

std::unique_ptr<ReportWriter> make_junit_writer() {
  return std::make_unique<JUnitWriter>();
}

}  // namespace gauntlet::reports
