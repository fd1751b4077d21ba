#include "suites/bddl/bddl_parser.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "harness/errors.hpp"

namespace gauntlet::suites::bddl {
namespace {

using libero::SceneSpec;
using libero::SpecEntity;
using libero::SpecPredicate;
using libero::SpecRegion;

// One s-expression: an atom or a list, with the line it starts on.
struct Node {
  bool list = false;
  std::string atom;
  std::vector<Node> items;
  int line = 0;
};

bool iequals(const std::string& a, const char* b) {
  std::size_t i = 0;
  for (; i < a.size() && b[i]; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return i == a.size() && b[i] == '\0';
}

class Reader {
 public:
  Reader(const std::string& text, const std::string& source) : text_(text), source_(source) {}

  Node document() {
    skip();
    if (pos_ >= text_.size()) fail(line_, "empty file; expected (define (problem NAME) ...)");
    Node root = node(0);
    skip();
    if (pos_ < text_.size()) fail(line_, "text after the closing parenthesis of (define ...)");
    return root;
  }

  [[noreturn]] void fail(int line, const std::string& message) const {
    throw InputError(source_ + ":" + std::to_string(line) + ": " + message);
  }

 private:
  void skip() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ';') {  // comment to the end of the line
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else {
        return;
      }
    }
  }

  Node node(int depth) {
    if (depth > 64) fail(line_, "parentheses nested too deeply");
    skip();
    Node n;
    n.line = line_;
    if (pos_ >= text_.size()) fail(line_, "unexpected end of file; a ')' is missing");
    if (text_[pos_] == ')') fail(line_, "unexpected ')'");
    if (text_[pos_] == '(') {
      n.list = true;
      ++pos_;
      for (;;) {
        skip();
        if (pos_ >= text_.size()) fail(n.line, "unbalanced '(' opened here: a ')' is missing");
        if (text_[pos_] == ')') {
          ++pos_;
          return n;
        }
        n.items.push_back(node(depth + 1));
      }
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '(' && text_[pos_] != ')' && text_[pos_] != ';' &&
           !std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    n.atom = text_.substr(start, pos_ - start);
    return n;
  }

  const std::string& text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

class Builder {
 public:
  Builder(const Reader& r, const std::string& source) : r_(r), source_(source) {}

  SceneSpec build(const Node& root) {
    spec_.source = source_;
    if (!root.list || root.items.empty() || root.items[0].list ||
        !iequals(root.items[0].atom, "define")) {
      r_.fail(root.line, "expected (define (problem NAME) ...)");
    }
    bool has_goal = false, has_language = false;
    for (std::size_t i = 1; i < root.items.size(); ++i) {
      const Node& s = root.items[i];
      if (!s.list || s.items.empty() || s.items[0].list)
        r_.fail(s.line, "expected a section such as (:objects ...)");
      const std::string& key = s.items[0].atom;
      if (iequals(key, "problem") || iequals(key, ":domain") || iequals(key, ":requirements"))
        continue;
      if (iequals(key, ":language")) {
        for (std::size_t k = 1; k < s.items.size(); ++k) {
          if (s.items[k].list) r_.fail(s.items[k].line, ":language is plain words");
          spec_.language += (spec_.language.empty() ? "" : " ") + s.items[k].atom;
        }
        has_language = true;
      } else if (iequals(key, ":regions")) {
        for (std::size_t k = 1; k < s.items.size(); ++k) region(s.items[k]);
      } else if (iequals(key, ":fixtures")) {
        entities(s, true);
      } else if (iequals(key, ":objects")) {
        entities(s, false);
      } else if (iequals(key, ":obj_of_interest")) {
        for (std::size_t k = 1; k < s.items.size(); ++k) {
          if (s.items[k].list) r_.fail(s.items[k].line, ":obj_of_interest lists names");
        }
      } else if (iequals(key, ":init")) {
        for (std::size_t k = 1; k < s.items.size(); ++k)
          spec_.init.push_back(predicate(s.items[k]));
      } else if (iequals(key, ":goal")) {
        goal(s);
        has_goal = true;
      } else {
        r_.fail(s.line, "unknown section '" + key +
                            "'; supported: :domain, :language, :regions, :fixtures, :objects, "
                            ":obj_of_interest, :init, :goal");
      }
    }
    if (!has_language) r_.fail(root.line, "missing (:language ...), the task's instruction");
    if (!has_goal) r_.fail(root.line, "missing (:goal (And ...))");
    return std::move(spec_);
  }

 private:
  std::string where(int line) const { return source_ + ":" + std::to_string(line); }

  double number(const Node& n) const {
    if (n.list) r_.fail(n.line, "expected a number, got a list");
    char* end = nullptr;
    const double v = std::strtod(n.atom.c_str(), &end);
    if (n.atom.empty() || end != n.atom.c_str() + n.atom.size() || !std::isfinite(v)) {
      r_.fail(n.line, "expected a finite number, got '" + n.atom.substr(0, 64) + "'");
    }
    return v;
  }

  // ((a b c d) (e f g h)) -> rows of `width` numbers.
  std::vector<std::vector<double>> rows(const Node& n, std::size_t width, const char* what) const {
    std::vector<std::vector<double>> out;
    if (n.items.size() != 2 || !n.items[1].list) {
      r_.fail(n.line, std::string(what) + " takes one list of ranges, e.g. (" + what + " ((...)))");
    }
    for (const Node& row : n.items[1].items) {
      if (!row.list || row.items.size() != width) {
        r_.fail(row.line,
                std::string(what) + ": each range has " + std::to_string(width) + " numbers");
      }
      std::vector<double> v;
      for (const Node& x : row.items) v.push_back(number(x));
      out.push_back(std::move(v));
    }
    return out;
  }

  void region(const Node& n) {
    if (!n.list || n.items.empty() || n.items[0].list)
      r_.fail(n.line, "expected (REGION_NAME (:target NAME) ...)");
    SpecRegion r;
    r.name = n.items[0].atom;
    r.where = where(n.line);
    for (std::size_t k = 1; k < n.items.size(); ++k) {
      const Node& a = n.items[k];
      if (!a.list || a.items.empty() || a.items[0].list)
        r_.fail(a.line, "expected (:target NAME), (:ranges ...), ...");
      const std::string& key = a.items[0].atom;
      if (iequals(key, ":target")) {
        if (a.items.size() != 2 || a.items[1].list) r_.fail(a.line, "expected (:target NAME)");
        r.target = a.items[1].atom;
      } else if (iequals(key, ":ranges")) {
        for (const auto& v : rows(a, 4, ":ranges")) r.ranges.push_back({v[0], v[1], v[2], v[3]});
      } else if (iequals(key, ":yaw_rotation")) {
        for (const auto& v : rows(a, 2, ":yaw_rotation")) {
          if (v[0] > v[1]) r_.fail(a.line, ":yaw_rotation ranges are (low high) with low <= high");
          r.yaws.push_back(Range{v[0], v[1]});
        }
      } else if (iequals(key, ":rgba")) {
        // Colour of a visualised region: drawing aid only.
      } else {
        r_.fail(a.line, "unknown region attribute '" + key +
                            "'; supported: :target, :ranges, :yaw_rotation, :rgba");
      }
    }
    if (r.target.empty()) r_.fail(n.line, "region '" + r.name + "' has no (:target NAME)");
    spec_.regions.push_back(std::move(r));
  }

  // "a b - category c - other": names, a dash, their category.
  void entities(const Node& s, bool fixtures) {
    std::vector<const Node*> names;
    for (std::size_t k = 1; k < s.items.size(); ++k) {
      const Node& n = s.items[k];
      if (n.list) r_.fail(n.line, "expected NAME ... - CATEGORY, got a list");
      if (n.atom == "-") {
        if (names.empty()) r_.fail(n.line, "'-' with no names before it");
        if (k + 1 >= s.items.size() || s.items[k + 1].list)
          r_.fail(n.line, "'-' must be followed by a category");
        const std::string& category = s.items[++k].atom;
        for (const Node* name : names) {
          spec_.entities.push_back(SpecEntity{name->atom, category, fixtures, where(name->line)});
        }
        names.clear();
      } else {
        names.push_back(&n);
      }
    }
    if (!names.empty())
      r_.fail(names.back()->line, "'" + names.back()->atom + "' has no '- CATEGORY'");
  }

  SpecPredicate predicate(const Node& n) const {
    if (!n.list || n.items.empty() || n.items[0].list)
      r_.fail(n.line, "expected a predicate such as (On a b)");
    const auto kind = libero::parse_predicate(n.items[0].atom);
    if (!kind) {
      r_.fail(n.line, "unknown predicate '" + n.items[0].atom +
                          "'; supported: " + join_names(libero::predicate_names()));
    }
    SpecPredicate p;
    p.kind = *kind;
    p.where = where(n.line);
    for (std::size_t k = 1; k < n.items.size(); ++k) {
      if (n.items[k].list) r_.fail(n.items[k].line, "predicate arguments are names");
      p.args.push_back(n.items[k].atom);
    }
    return p;
  }

  void goal(const Node& s) {
    if (s.items.size() != 2) r_.fail(s.line, "expected (:goal (And ...))");
    const Node& g = s.items[1];
    if (g.list && !g.items.empty() && !g.items[0].list && iequals(g.items[0].atom, "and")) {
      for (std::size_t k = 1; k < g.items.size(); ++k) spec_.goal.push_back(predicate(g.items[k]));
      return;
    }
    if (g.list && !g.items.empty() && !g.items[0].list &&
        (iequals(g.items[0].atom, "or") || iequals(g.items[0].atom, "not"))) {
      r_.fail(g.line, "unsupported goal connective '" + g.items[0].atom +
                          "'; a goal is (And ...) of: " + join_names(libero::predicate_names()));
    }
    spec_.goal.push_back(predicate(g));
  }

  const Reader& r_;
  std::string source_;
  SceneSpec spec_;
};

}  // namespace

libero::SceneSpec parse_bddl(const std::string& text, const std::string& source) {
  Reader reader(text, source);
  const Node root = reader.document();
  return Builder(reader, source).build(root);
}

}  // namespace gauntlet::suites::bddl
