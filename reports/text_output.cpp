#include "reports/text_output.hpp"

#include <cstdio>
#include <fstream>

#include "harness/errors.hpp"

namespace gauntlet::reports {

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw InputError("cannot write '" + path.string() + "': check the output directory");
    out << text;
    if (!out) throw InputError("cannot write '" + path.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw InputError("cannot write '" + path.string() + "': " + ec.message());
}

std::string escape_markdown(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '`':
        out += "\\`";
        break;
      case '*':
        out += "\\*";
        break;
      case '_':
        out += "\\_";
        break;
      case '[':
        out += "\\[";
        break;
      case ']':
        out += "\\]";
        break;
      case '\n':
        out += ' ';
        break;
      case '\r':
        out += ' ';
        break;
      case '\t':
        out += ' ';
        break;
      default:
        // Other control characters (ESC, BEL, ...) would reach a terminal
        // that shows the file: show them as \xNN.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string format_percent(double rate, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, 100.0 * rate);
  return buf;
}

std::string percent_number(double rate, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, 100.0 * rate);
  return buf;
}

}  // namespace gauntlet::reports
