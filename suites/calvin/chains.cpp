#include "suites/calvin/chains.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harness/errors.hpp"
#include "harness/rng.hpp"

namespace gauntlet::suites::calvin {
namespace {

namespace desk = bullet::desk;

Symbolic sample_init(Rng& rng) {
  Symbolic s;
  s.led = rng.bernoulli(0.5);
  s.bulb = rng.bernoulli(0.5);
  s.slider_left = rng.bernoulli(0.5);
  s.drawer_open = rng.bernoulli(0.5);
  // One or two blocks on the table, the others one per cabinet compartment.
  const int on_table = 1 + static_cast<int>(rng.below(2));
  std::array<int, kBlocks> order{0, 1, 2};
  for (int i = kBlocks - 1; i > 0; --i) {
    const auto j = static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[static_cast<std::size_t>(i)], order[j]);
  }
  std::array<Place, 2> compartments{Place::kSliderLeft, Place::kSliderRight};
  if (rng.bernoulli(0.5)) std::swap(compartments[0], compartments[1]);
  for (int i = 0; i < kBlocks; ++i) {
    const auto b = static_cast<std::size_t>(order[static_cast<std::size_t>(i)]);
    s.blocks[b] =
        i < on_table ? Place::kTable : compartments[static_cast<std::size_t>(i - on_table)];
  }
  return s;
}

// 1-based line of every item of the top-level JSON list (by a scan that
// tracks strings and nesting), for error messages.
std::vector<int> item_lines(const std::string& text) {
  std::vector<int> lines;
  int line = 1;
  int depth = 0;
  bool in_string = false;
  bool escape = false;
  bool want_item = false;
  for (const char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (depth == 1 && want_item && c != ']') {
      lines.push_back(line);
      want_item = false;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
      if (depth == 1) want_item = true;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 1) {
      want_item = true;
    }
  }
  return lines;
}

int line_of_offset(const std::string& text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(
                 text.begin(),
                 text.begin() + static_cast<std::ptrdiff_t>(std::min(offset, text.size())), '\n'));
}

const char* const kInitialHelp =
    "an initial state {\"led\": 0|1, \"lightbulb\": 0|1, \"slider\": \"left\"|\"right\", "
    "\"drawer\": \"open\"|\"closed\", \"red_block\", \"blue_block\", \"pink_block\": "
    "\"table\"|\"slider_left\"|\"slider_right\"|\"drawer\"}";

}  // namespace

Chain sample_chain(std::uint64_t seed, int index) {
  Rng rng(
      derive_seed(derive_seed(seed, RngStream::kCalvinChain), static_cast<std::uint64_t>(index)));
  const int n = static_cast<int>(subtasks().size());
  for (;;) {
    Chain c;
    c.init = sample_init(rng);
    Symbolic s = c.init;
    std::set<std::string> used;
    bool ok = true;
    for (int k = 0; k < kChainLength && ok; ++k) {
      std::vector<int> options;
      for (int t = 0; t < n; ++t) {
        if (!used.count(subtasks()[static_cast<std::size_t>(t)].category) && feasible(t, s))
          options.push_back(t);
      }
      if (options.empty()) {
        ok = false;
        break;
      }
      const int t = options[static_cast<std::size_t>(rng.below(options.size()))];
      c.tasks[static_cast<std::size_t>(k)] = t;
      used.insert(subtasks()[static_cast<std::size_t>(t)].category);
      s = apply(t, s);
    }
    if (ok) return c;
  }
}

bullet::PlayInit realize(const Symbolic& init, std::uint64_t seed, int index,
                         const DeskLayout& layout) {
  Rng rng(
      derive_seed(derive_seed(seed, RngStream::kCalvinLayout), static_cast<std::uint64_t>(index)));
  bullet::PlayInit p;
  p.led = init.led;
  p.slider = init.slider_left ? desk::kSliderTravel : 0.0;
  p.drawer = init.drawer_open ? desk::kDrawerTravel - 0.02 : 0.0;
  p.switch_pos = init.bulb ? desk::kSwitchTravel : 0.0;
  std::vector<std::array<double, 2>> sockets = layout.sockets;
  static const double kHalfZ[kBlocks] = {0.025, 0.024, 0.018};
  for (int b = 0; b < kBlocks; ++b) {
    const auto k = static_cast<std::size_t>(b);
    std::array<double, 2> xy{};
    double z = kHalfZ[k] + 0.001;
    double jitter = 0.01;
    switch (init.blocks[k]) {
      case Place::kSliderLeft:
      case Place::kSliderRight:
        xy = compartment_centre(init.blocks[k] == Place::kSliderLeft, layout);
        break;
      case Place::kDrawer:
        xy = {0.45 - p.drawer + 0.02 * (b - 1), layout.drawer_y + 0.07 * (b - 1)};
        z = desk::kDrawerFloor + kHalfZ[k] + 0.001;
        jitter = 0.005;
        break;
      default: {
        const auto pick = static_cast<std::size_t>(rng.below(sockets.size()));
        xy = sockets[pick];
        sockets.erase(sockets.begin() + static_cast<std::ptrdiff_t>(pick));
        jitter = 0.015;
        break;
      }
    }
    const double yaw = rng.uniform(-0.5, 0.5);
    p.blocks[k] = {xy[0] + rng.uniform(-jitter, jitter), xy[1] + rng.uniform(-jitter, jitter), z,
                   yaw};
  }
  return p;
}

std::string chain_problem(const Chain& chain) {
  Symbolic s = chain.init;
  std::set<std::string> used;
  if (std::count(s.blocks.begin(), s.blocks.end(), Place::kSliderLeft) > 1 ||
      std::count(s.blocks.begin(), s.blocks.end(), Place::kSliderRight) > 1) {
    return "at most one block per cabinet compartment";
  }
  for (int k = 0; k < kChainLength; ++k) {
    const int t = chain.tasks[static_cast<std::size_t>(k)];
    const Subtask& st = subtasks().at(static_cast<std::size_t>(t));
    if (used.count(st.category)) {
      return "subtask " + std::to_string(k + 1) + " '" + st.name + "' repeats category '" +
             st.category + "' (a chain has no two subtasks of one category)";
    }
    if (!feasible(t, s)) {
      std::string blocks;
      for (int b = 0; b < kBlocks; ++b) {
        blocks += std::string(b ? ", " : "") + bullet::kBlockNames[b] + " " +
                  to_string(s.blocks[static_cast<std::size_t>(b)]);
      }
      return "subtask " + std::to_string(k + 1) + " '" + st.name +
             "' is not feasible from the state before it (led " + (s.led ? "on" : "off") +
             ", bulb " + (s.bulb ? "on" : "off") + ", slider " +
             (s.slider_left ? "left" : "right") + ", drawer " +
             (s.drawer_open ? "open" : "closed") + ", " + blocks + ")";
    }
    used.insert(st.category);
    s = apply(t, s);
  }
  return "";
}

std::vector<Chain> parse_chain_file(const std::string& text, const std::string& file) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(file + ":" +
                     std::to_string(line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0)) +
                     ": not valid JSON (" + e.what() +
                     "); expected a list of chains [INITIAL, [5 subtask names]]");
  }
  if (!doc.is_array() || doc.empty()) {
    throw InputError(file +
                     ":1: expected a non-empty JSON list of chains, each [INITIAL, [5 "
                     "subtask names]] or {\"initial\": ..., \"subtasks\": [...]}");
  }
  const std::vector<int> lines = item_lines(text);
  std::vector<Chain> out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const std::string where = file + ":" + std::to_string(i < lines.size() ? lines[i] : 1) +
                              ": chain " + std::to_string(i);
    const auto fail = [&](const std::string& what) { throw InputError(where + ": " + what); };
    const nlohmann::json& item = doc[i];
    nlohmann::json initial, names;
    if (item.is_array() && item.size() == 2) {
      initial = item[0];
      names = item[1];
    } else if (item.is_object() && item.contains("initial") && item.contains("subtasks")) {
      initial = item["initial"];
      names = item["subtasks"];
    } else {
      fail("expected [INITIAL, [5 subtask names]] or {\"initial\": ..., \"subtasks\": [...]}");
    }
    if (!initial.is_object()) fail(std::string("expected ") + kInitialHelp);
    Chain c;
    const auto flag = [&](const char* key) {
      if (!initial.contains(key))
        fail(std::string("initial state lacks '") + key + "'; expected " + kInitialHelp);
      const auto& v = initial[key];
      if (v.is_boolean()) return v.get<bool>();
      if (v.is_number_integer() && (v.get<int>() == 0 || v.get<int>() == 1))
        return v.get<int>() == 1;
      fail(std::string("'") + key + "' must be 0 or 1");
      return false;
    };
    const auto word = [&](const char* key, std::initializer_list<const char*> allowed) {
      if (!initial.contains(key) || !initial[key].is_string())
        fail(std::string("initial state lacks '") + key + "'; expected " + kInitialHelp);
      std::string v = initial[key].get<std::string>();
      std::string list;
      for (const char* a : allowed) {
        if (v == a) return v;
        list += std::string(list.empty() ? "" : ", ") + a;
      }
      fail(std::string("'") + key + "' is '" + v + "'; expected one of " + list);
      return std::string();
    };
    c.init.led = flag("led");
    c.init.bulb = flag("lightbulb");
    c.init.slider_left = word("slider", {"left", "right"}) == "left";
    c.init.drawer_open = word("drawer", {"open", "closed"}) == "open";
    for (int b = 0; b < kBlocks; ++b) {
      const std::string key = std::string(bullet::kBlockNames[b]) + "_block";
      const std::string v = word(key.c_str(), {"table", "slider_left", "slider_right", "drawer"});
      c.init.blocks[static_cast<std::size_t>(b)] = v == "table"          ? Place::kTable
                                                   : v == "slider_left"  ? Place::kSliderLeft
                                                   : v == "slider_right" ? Place::kSliderRight
                                                                         : Place::kDrawer;
    }
    if (initial.contains("grasped") &&
        !(initial["grasped"].is_number_integer() && initial["grasped"].get<int>() == 0)) {
      fail("'grasped' must be 0 (chains start with the gripper empty)");
    }
    if (std::count(c.init.blocks.begin(), c.init.blocks.end(), Place::kDrawer) > 0 &&
        !c.init.drawer_open) {
      fail("a block in the drawer needs \"drawer\": \"open\" at the start");
    }
    if (!names.is_array() || names.size() != static_cast<std::size_t>(kChainLength)) {
      fail("expected a list of " + std::to_string(kChainLength) + " subtask names");
    }
    for (int k = 0; k < kChainLength; ++k) {
      const auto& n = names[static_cast<std::size_t>(k)];
      if (!n.is_string()) fail("subtask " + std::to_string(k + 1) + " must be a name (string)");
      const int t = subtask_index(n.get<std::string>());
      if (t < 0) {
        std::string all;
        for (const auto& s : subtask_names()) all += (all.empty() ? "" : ", ") + s;
        fail("unknown subtask '" + n.get<std::string>() + "'; expected one of: " + all);
      }
      c.tasks[static_cast<std::size_t>(k)] = t;
    }
    const std::string why = chain_problem(c);
    if (!why.empty()) fail("infeasible chain: " + why);
    out.push_back(c);
  }
  return out;
}

std::vector<Chain> load_chain_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("--chains '" + path + "': cannot read the chain file");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_chain_file(buf.str(), path);
}

std::string chains_to_json(const std::vector<Chain>& chains) {
  nlohmann::json out = nlohmann::json::array();
  for (const Chain& c : chains) {
    nlohmann::json init = {{"led", c.init.led ? 1 : 0},
                           {"lightbulb", c.init.bulb ? 1 : 0},
                           {"slider", c.init.slider_left ? "left" : "right"},
                           {"drawer", c.init.drawer_open ? "open" : "closed"},
                           {"grasped", 0}};
    for (int b = 0; b < kBlocks; ++b) {
      init[std::string(bullet::kBlockNames[b]) + "_block"] =
          to_string(c.init.blocks[static_cast<std::size_t>(b)]);
    }
    nlohmann::json names = nlohmann::json::array();
    for (const int t : c.tasks) names.push_back(subtasks()[static_cast<std::size_t>(t)].name);
    out.push_back(nlohmann::json::array({init, names}));
  }
  return out.dump(1);
}

}  // namespace gauntlet::suites::calvin
