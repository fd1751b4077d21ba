#include "reports/writers.hpp"

#include <sstream>

#include "harness/errors.hpp"

namespace gauntlet::reports {
namespace {

struct Format {
  const char* name;
  const char* alias;  // also accepted by --format ("" when none)
  std::unique_ptr<ReportWriter> (*make)();
};

// Every report format, in the order `available_formats` lists them.
constexpr Format kFormats[] = {
    {"html", "", make_html_writer},   {"md", "markdown", make_markdown_writer},
    {"json", "", make_json_writer},   {"csv", "", make_csv_writer},
    {"junit", "", make_junit_writer}, {"pr", "", make_pr_comment_writer},
};

}  // namespace

std::vector<std::string> available_formats() {
  std::vector<std::string> out;
  for (const Format& f : kFormats) out.emplace_back(f.name);
  return out;
}

std::vector<std::unique_ptr<ReportWriter>> make_writers(const std::string& formats) {
  std::vector<std::unique_ptr<ReportWriter>> out;
  std::stringstream in(formats);
  std::string f;
  while (std::getline(in, f, ',')) {
    const Format* found = nullptr;
    for (const Format& x : kFormats) {
      if (f == x.name || (*x.alias != '\0' && f == x.alias)) found = &x;
    }
    if (!found) {
      throw InputError("--format: unknown report format '" + f +
                       "'; valid formats: " + join_names(available_formats()));
    }
    out.push_back(found->make());
  }
  if (out.empty())
    throw InputError("--format: no format given; valid formats: " +
                     join_names(available_formats()));
  return out;
}

}  // namespace gauntlet::reports
