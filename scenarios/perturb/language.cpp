#include "scenarios/perturb/language.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "harness/rng.hpp"
#include "scenarios/perturb/levels.hpp"

namespace gauntlet::perturb {
namespace {

// Words of one class mean the same in a manipulation instruction; the first is
// canonical. Prepositions are replaced only before an object ("the", "it", ...),
// so "put the bowl inside" stays as it is. Nouns are few on purpose: a synonym
// must never name another object a scene may hold (no cube/block, bowl/dish).
struct SynonymClass {
  std::vector<std::string> members;
  bool needs_object;
};

const std::vector<SynonymClass>& classes() {
  static const std::vector<SynonymClass> c = {
      {{"pick up", "grab", "lift", "grasp"}, false},
      {{"place", "put", "set"}, false},
      {{"push", "slide", "shove"}, false},
      {{"open", "pull open"}, false},
      {{"close", "shut"}, false},
      {{"turn on", "switch on"}, false},
      {{"turn off", "switch off"}, false},
      {{"on", "onto", "on top of"}, true},
      {{"into", "inside", "in"}, true},
      {{"plate", "dish"}, false},
      {{"square", "square patch"}, false},
  };
  return c;
}

// Spatial expressions kept whole: "on the left of" must not become "onto the left of".
const std::vector<std::string>& protected_phrases() {
  static const std::vector<std::string> p = {"in front of",   "on the left", "on the right",
                                             "in the middle", "in between",  "on its side"};
  return p;
}

const std::set<std::string>& object_starters() {
  static const std::set<std::string> s = {"the", "a",     "an",   "it",   "them",
                                          "its", "their", "this", "that", "both"};
  return s;
}

// Verbs that start a clause; "and" before one of them separates two steps
// ("... and place it ..."), before anything else it joins nouns ("soup and sauce").
const std::set<std::string>& clause_verbs() {
  static const std::set<std::string> s = {
      "pick", "place", "put",    "set",  "push",  "slide", "shove",  "open", "close",
      "shut", "turn",  "switch", "grab", "lift",  "grasp", "take",   "move", "stack",
      "pull", "press", "rotate", "flip", "wipe",  "pour",  "insert", "hang", "lay",
      "drop", "bring", "fold",   "stir", "knock", "lower"};
  return s;
}

const std::set<std::string>& prepositions() {
  static const std::set<std::string> s = {"on",      "onto",   "into",   "in",     "inside",
                                          "under",   "behind", "beside", "near",   "next",
                                          "between", "at",     "to",     "toward", "towards"};
  return s;
}

bool is_punct(const std::string& t) {
  return t.size() == 1 && std::string(",.?!;").find(t[0]) != std::string::npos;
}

bool starts_with(const Tokens& t, std::size_t at, const Tokens& phrase) {
  if (phrase.empty() || at + phrase.size() > t.size()) return false;
  return std::equal(phrase.begin(), phrase.end(), t.begin() + static_cast<std::ptrdiff_t>(at));
}

Tokens slice(const Tokens& t, std::size_t from, std::size_t to) {
  return Tokens(t.begin() + static_cast<std::ptrdiff_t>(from),
                t.begin() + static_cast<std::ptrdiff_t>(to));
}

Tokens concat(std::initializer_list<Tokens> parts) {
  Tokens out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Match {
  std::size_t pos = 0;
  std::size_t len = 0;
  std::size_t cls = 0;
  std::size_t member = 0;
};

// Non-overlapping class members, longest first at each position, left to right.
std::vector<Match> find_matches(const Tokens& t) {
  std::vector<Match> out;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t best_len = 0;
    bool best_protected = false;
    Match best;
    for (const auto& phrase : protected_phrases()) {
      const Tokens p = tokenize(phrase);
      if (p.size() > best_len && starts_with(t, i, p)) best_len = p.size(), best_protected = true;
    }
    for (std::size_t c = 0; c < classes().size(); ++c) {
      for (std::size_t m = 0; m < classes()[c].members.size(); ++m) {
        const Tokens p = tokenize(classes()[c].members[m]);
        if (p.size() > best_len && starts_with(t, i, p)) {
          const bool object_follows =
              i + p.size() < t.size() && object_starters().count(t[i + p.size()]);
          if (classes()[c].needs_object && !object_follows) continue;
          best_len = p.size();
          best_protected = false;
          best = Match{i, p.size(), c, m};
        }
      }
    }
    if (best_len == 0) {
      ++i;
      continue;
    }
    if (!best_protected) out.push_back(best);
    i += best_len;
  }
  return out;
}

// Splits at "and" followed by a clause verb.
std::vector<Tokens> split_clauses(const Tokens& t) {
  std::vector<Tokens> out(1);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == "and" && i > 0 && i + 1 < t.size() && clause_verbs().count(t[i + 1])) {
      out.emplace_back();
      continue;
    }
    out.back().push_back(t[i]);
  }
  return out;
}

// First prepositional phrase after the verb and its object, if any.
std::size_t find_prepositional_phrase(const Tokens& t) {
  for (std::size_t i = 2; i < t.size(); ++i) {
    if (!prepositions().count(t[i])) continue;
    for (std::size_t k = i + 1; k < std::min(t.size(), i + 4); ++k) {
      if (object_starters().count(t[k])) return i;
    }
  }
  return t.size();
}

const std::set<std::string>& vocabulary_words() {
  static const std::set<std::string> v = [] {
    std::set<std::string> s;
    for (const auto& c : classes()) {
      for (const auto& m : c.members) {
        for (const auto& w : tokenize(m)) s.insert(w);
      }
    }
    for (const auto& p : protected_phrases()) {
      for (const auto& w : tokenize(p)) s.insert(w);
    }
    for (const auto& [pre, post] : paraphrase_templates()) {
      for (const auto& w : tokenize(pre)) s.insert(w);
      for (const auto& w : tokenize(post)) s.insert(w);
    }
    for (const auto& d : distractor_clauses()) {
      for (const auto& w : tokenize(d)) s.insert(w);
    }
    for (const auto& w : clause_verbs()) s.insert(w);
    for (const auto& w : prepositions()) s.insert(w);
    for (const auto& w : object_starters()) s.insert(w);
    for (const char* w : {"after", "you", "but", "first", "and"}) s.insert(w);
    return s;
  }();
  return v;
}

// The known words within edit distance 1 of `word`.
std::vector<std::string> near_words(const std::string& word, const std::set<std::string>& known) {
  std::vector<std::string> out;
  for (const auto& k : known) {
    if (k.size() + 1 >= word.size() && k.size() <= word.size() + 1 && edit_distance(k, word) <= 1) {
      out.push_back(k);
    }
  }
  return out;
}

std::set<std::string> known_words(const Tokens& text) {
  std::set<std::string> known = vocabulary_words();
  for (const auto& w : text) {
    if (!is_punct(w)) known.insert(w);
  }
  return known;
}

Tokens strip_distractor(Tokens t) {
  for (const auto& d : distractor_clauses()) {
    const Tokens sentence = concat({tokenize(d), {"."}});
    if (starts_with(t, 0, sentence)) return slice(t, sentence.size(), t.size());
    if (t.size() >= sentence.size() && starts_with(t, t.size() - sentence.size(), sentence)) {
      t.resize(t.size() - sentence.size());
      if (!t.empty() && t.back() == ".") t.pop_back();
      return t;
    }
  }
  return t;
}

// A fronted prepositional phrase ("into the square , push the block") splits
// into the phrase and the main clause; otherwise the phrase is empty.
std::pair<Tokens, Tokens> split_fronted(const Tokens& t) {
  if (t.empty() || !prepositions().count(t[0])) return {{}, t};
  const auto comma = std::find(t.begin(), t.end(), ",");
  if (comma == t.end()) return {{}, t};
  const auto c = static_cast<std::size_t>(comma - t.begin());
  return {slice(t, 0, c), slice(t, c + 1, t.size())};
}

Tokens without_question_marks(const Tokens& t) {
  Tokens out;
  for (const auto& w : t) {
    if (w != "?") out.push_back(w);
  }
  return out;
}

// Called with "?" already removed from the text, so frames are compared without it.
Tokens strip_frame(const Tokens& t) {
  for (const auto& [pre, post] : paraphrase_templates()) {
    const Tokens p = without_question_marks(tokenize(pre));
    const Tokens s = without_question_marks(tokenize(post));
    if (t.size() <= p.size() + s.size()) continue;
    if ((p.empty() || starts_with(t, 0, p)) &&
        (s.empty() || starts_with(t, t.size() - s.size(), s))) {
      return slice(t, p.size(), t.size() - s.size());
    }
  }
  return t;
}

Tokens undo_reorder(const Tokens& t) {
  for (std::size_t i = 1; i + 2 < t.size(); ++i) {
    if (t[i] == "after" && t[i + 1] == "you") {
      return concat({slice(t, i + 2, t.size()), {"and"}, slice(t, 0, i)});
    }
    if (t[i] == "," && t[i + 1] == "but" && t[i + 2] == "first" && i + 3 < t.size()) {
      return concat({slice(t, i + 3, t.size()), {"and"}, slice(t, 0, i)});
    }
  }
  return t;
}

Tokens canonical_synonyms(const Tokens& t) {
  Tokens out;
  std::size_t next = 0;
  for (const Match& m : find_matches(t)) {
    out.insert(out.end(), t.begin() + static_cast<std::ptrdiff_t>(next),
               t.begin() + static_cast<std::ptrdiff_t>(m.pos));
    const Tokens canonical = tokenize(classes()[m.cls].members.front());
    out.insert(out.end(), canonical.begin(), canonical.end());
    next = m.pos + m.len;
  }
  out.insert(out.end(), t.begin() + static_cast<std::ptrdiff_t>(next), t.end());
  return out;
}

}  // namespace

Tokens tokenize(const std::string& text) {
  Tokens out;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isspace(c)) {
      flush();
    } else if (is_punct(std::string(1, ch))) {
      flush();
      out.emplace_back(1, ch);
    } else {
      word += static_cast<char>(std::tolower(c));
    }
  }
  flush();
  return out;
}

std::string detokenize(const Tokens& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty() && !is_punct(t)) out += ' ';
    out += t;
  }
  return out;
}

const std::vector<std::vector<std::string>>& synonym_classes() {
  static const std::vector<std::vector<std::string>> out = [] {
    std::vector<std::vector<std::string>> v;
    for (const auto& c : classes()) v.push_back(c.members);
    return v;
  }();
  return out;
}

const std::vector<std::pair<std::string, std::string>>& paraphrase_templates() {
  static const std::vector<std::pair<std::string, std::string>> t = {
      {"please", ""},       {"", ", please"},        {"could you", "?"},
      {"can you", "?"},     {"i need you to", ""},   {"your task is to", ""},
      {"go ahead and", ""}, {"the robot should", ""}};
  return t;
}

const std::vector<std::string>& distractor_clauses() {
  static const std::vector<std::string> d = {
      "the weather is nice today", "there is no need to hurry",  "this is the last job of the day",
      "the room is quiet",         "music is playing somewhere", "it is almost noon"};
  return d;
}

int edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

Tokens apply_synonyms(const Tokens& text, int count, Rng& rng) {
  const std::vector<Match> matches = find_matches(text);
  // Every choice is drawn whatever `count` is, so level 1's substitution is
  // one of level 2's.
  std::vector<std::size_t> alternative(matches.size());
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const std::size_t n = classes()[matches[i].cls].members.size();
    alternative[i] = (matches[i].member + 1 + rng.below(n - 1)) % n;
  }
  std::vector<std::size_t> order(matches.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<bool> chosen(matches.size(), false);
  for (std::size_t k = 0; k < order.size() && static_cast<int>(k) < count; ++k)
    chosen[order[k]] = true;
  Tokens out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const Match& m = matches[i];
    out.insert(out.end(), text.begin() + static_cast<std::ptrdiff_t>(next),
               text.begin() + static_cast<std::ptrdiff_t>(m.pos + (chosen[i] ? 0 : m.len)));
    if (chosen[i]) {
      const Tokens alt = tokenize(classes()[m.cls].members[alternative[i]]);
      out.insert(out.end(), alt.begin(), alt.end());
    }
    next = m.pos + m.len;
  }
  out.insert(out.end(), text.begin() + static_cast<std::ptrdiff_t>(next), text.end());
  return out;
}

Tokens reorder_clauses(const Tokens& text, Rng& rng) {
  const bool after_you = rng.bernoulli(0.5);
  const std::vector<Tokens> clauses = split_clauses(text);
  if (clauses.size() == 2 && !clauses[0].empty() && !clauses[1].empty()) {
    return after_you ? concat({clauses[1], {"after", "you"}, clauses[0]})
                     : concat({clauses[1], {",", "but", "first"}, clauses[0]});
  }
  if (clauses.size() == 1) {
    const std::size_t p = find_prepositional_phrase(text);
    if (p < text.size()) return concat({slice(text, p, text.size()), {","}, slice(text, 0, p)});
  }
  return text;
}

Tokens apply_paraphrase(const Tokens& text, Rng& rng) {
  const auto& [pre, post] = paraphrase_templates()[rng.below(paraphrase_templates().size())];
  return concat({tokenize(pre), text, tokenize(post)});
}

Tokens add_distractor_clause(const Tokens& text, Rng& rng) {
  const Tokens d = tokenize(distractor_clauses()[rng.below(distractor_clauses().size())]);
  if (rng.bernoulli(0.5)) return concat({d, {"."}, text});
  const bool closed = !text.empty() && is_punct(text.back()) && text.back() != ",";
  return concat({text, closed ? Tokens{} : Tokens{"."}, d, {"."}});
}

Tokens add_typos(const Tokens& text, int count, Rng& rng) {
  Tokens out = text;
  const std::set<std::string> known = known_words(text);
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string& w = out[i];
    if (w.size() >= 4 && std::all_of(w.begin(), w.end(), [](char c) {
          return std::isalpha(static_cast<unsigned char>(c));
        })) {
      eligible.push_back(i);
    }
  }
  for (std::size_t i = eligible.size(); i > 1; --i)
    std::swap(eligible[i - 1], eligible[rng.below(i)]);
  int done = 0;
  for (const std::size_t i : eligible) {
    if (done >= count) break;
    const std::string original = out[i];
    for (int attempt = 0; attempt < 8; ++attempt) {
      std::string w = original;
      // Swapped or doubled interior letters; no deletions, which too often
      // leave another English word ("patch" -> "path", "plate" -> "pate").
      const bool swap = rng.bernoulli(0.5);
      const std::size_t pos = 1 + rng.below(w.size() - 2);  // interior letters only
      if (swap) {
        std::swap(w[pos], w[pos + 1 < w.size() - 1 ? pos + 1 : pos - 1]);
      } else {
        w.insert(pos, 1, w[pos]);
      }
      // Readable as the original and as nothing else we know.
      if (w == original || known.count(w)) continue;
      const auto near = near_words(w, known);
      if (near.size() != 1 || near.front() != original) continue;
      out[i] = w;
      ++done;
      break;
    }
  }
  return out;
}

std::string perturb_instruction(const std::string& instruction, int level, std::uint64_t seed) {
  if (level <= 0 || instruction.empty()) return instruction;
  const LanguageLevel p = language_level(level);
  // One stream per operation: each operation's choices are the same at every
  // level that applies it.
  Rng synonyms(derive_seed(seed, LanguageStream::kSynonyms)),
      reorder(derive_seed(seed, LanguageStream::kReorder)),
      frame(derive_seed(seed, LanguageStream::kParaphraseFrame)),
      distractor(derive_seed(seed, LanguageStream::kDistractorClause)),
      typos(derive_seed(seed, LanguageStream::kTypos));
  Tokens t = apply_synonyms(tokenize(instruction), p.synonyms, synonyms);
  if (p.reorder) t = reorder_clauses(t, reorder);
  if (p.paraphrase) {
    // A fronted phrase stays in front of the frame: "into the square, could you push the block?"
    auto [fronted, main] = split_fronted(t);
    main = apply_paraphrase(main, frame);
    t = fronted.empty() ? main : concat({fronted, {","}, main});
  }
  if (p.distractor_clause) t = add_distractor_clause(t, distractor);
  if (p.typos > 0) t = add_typos(t, p.typos, typos);
  return detokenize(t);
}

std::vector<Tokens> instruction_meaning(const std::string& text, const std::string& reference) {
  const std::set<std::string> known = known_words(tokenize(reference));
  Tokens t = tokenize(text);
  for (auto& w : t) {
    if (is_punct(w) || known.count(w)) continue;
    const auto near = near_words(w, known);
    if (near.size() == 1) w = near.front();
  }
  t = strip_distractor(t);
  t.erase(std::remove_if(t.begin(), t.end(),
                         [](const std::string& w) { return w == "." || w == "!" || w == "?"; }),
          t.end());
  auto [fronted, main] = split_fronted(t);
  main = undo_reorder(strip_frame(main));
  t = concat({main, fronted});
  t.erase(std::remove_if(t.begin(), t.end(), [](const std::string& w) { return is_punct(w); }),
          t.end());
  t = canonical_synonyms(t);
  return split_clauses(t);
}

}  // namespace gauntlet::perturb
