// The `language` perturbation rewords instructions without changing what they
// ask for: every operation and every level on every built-in suite instruction
// (and LIBERO-style ones), checked with the meaning extractor, which in turn is
// shown to tell different instructions apart.
#include <catch2/catch.hpp>

#include <set>

#include "harness/registry.hpp"
#include "scenarios/perturb/language.hpp"
#include "scenarios/perturb/levels.hpp"
#include "tests/fixtures/builtin.hpp"

using namespace gauntlet;
using namespace gauntlet::perturb;

namespace {

// Instructions of every built-in suite, plus LIBERO-style ones that exercise
// noun conjunctions, spatial phrases, pronouns and dangling prepositions.
std::vector<std::string> instructions() {
  static const std::vector<std::string> all = [] {
    std::set<std::string> out;
    for (const auto& [name, entry] : fixtures::builtin_registry().suites()) {
      const auto suite = entry.load({});
      for (const auto& t : suite->tasks()) out.insert(t.instruction);
    }
    for (const char* s :
         {"put the black bowl in the bottom drawer of the cabinet and close it",
          "put both the alphabet soup and the tomato sauce in the basket",
          "turn on the stove and put the moka pot on it",
          "open the top drawer and put the bowl inside",
          "put the white mug on the left plate and put the yellow and white mug on the right plate",
          "pick up the book and place it in the back compartment of the caddy",
          "put the bowl on top of the cabinet", "push the plate to the front of the stove"}) {
      out.insert(s);
    }
    return std::vector<std::string>(out.begin(), out.end());
  }();
  return all;
}

std::string show(const std::vector<Tokens>& meaning) {
  std::string out;
  for (const auto& clause : meaning) out += "[" + detokenize(clause) + "] ";
  return out;
}

}  // namespace

TEST_CASE("The built-in suites give the language test instructions to check",
          "[perturb][language]") {
  const auto all = instructions();
  CHECK(std::find(all.begin(), all.end(), "pick up the red cube and place it on the plate") !=
        all.end());
  CHECK(all.size() >= 10);
}

TEST_CASE("The meaning extractor tells different instructions apart", "[perturb][language]") {
  const std::string base = "pick up the red cube and place it on the plate";
  const auto meaning = instruction_meaning(base, base);
  for (const char* other : {"pick up the blue cube and place it on the plate",
                            "pick up the red cube and place it on the bowl",
                            "place it on the plate and pick up the red cube",
                            "pick up the red cube and place it in the plate",
                            "push the red cube and place it on the plate", "pick up the red cube",
                            "pick up the red cube and place it on the plate and close it"}) {
    INFO(other);
    CHECK(instruction_meaning(other, base) != meaning);
  }
  // ... and sees through what the perturbation does.
  CHECK(instruction_meaning("could you place it onto the dish after you grab the red cube?",
                            base) == meaning);
  CHECK(instruction_meaning(
            "the room is quiet. plaec it on the plate, but first pick up the red cube, please",
            base) == meaning);
}

TEST_CASE("Every language operation keeps the meaning of every instruction",
          "[perturb][language]") {
  for (const auto& text : instructions()) {
    const auto meaning = instruction_meaning(text, text);
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      Rng rng(seed);
      const Tokens t = tokenize(text);
      const std::vector<std::pair<const char*, Tokens>> variants = {
          {"synonyms", apply_synonyms(t, 3, rng)},
          {"reorder", reorder_clauses(t, rng)},
          {"paraphrase", apply_paraphrase(t, rng)},
          {"distractor", add_distractor_clause(t, rng)},
          {"typos", add_typos(t, 2, rng)}};
      for (const auto& [op, v] : variants) {
        const std::string out = detokenize(v);
        INFO(op << ": '" << text << "' -> '" << out << "' means "
                << show(instruction_meaning(out, text)));
        CHECK(instruction_meaning(out, text) == meaning);
      }
    }
  }
}

TEST_CASE("Every language level keeps the meaning of every instruction", "[perturb][language]") {
  for (const auto& text : instructions()) {
    const auto meaning = instruction_meaning(text, text);
    for (int level = 1; level <= kMaxLevel; ++level) {
      for (std::uint64_t seed = 0; seed < 40; ++seed) {
        const std::string out = perturb_instruction(text, level, seed);
        INFO("level " << level << ": '" << text << "' -> '" << out << "'");
        CHECK(instruction_meaning(out, text) == meaning);
      }
    }
  }
}

TEST_CASE("Language levels are deterministic and reword more as they grow", "[perturb][language]") {
  const std::string text = "pick up the red cube and place it on the plate";
  int changed_words_prev = 0;
  for (int level = 1; level <= kMaxLevel; ++level) {
    CHECK(perturb_instruction(text, level, 7) == perturb_instruction(text, level, 7));
    std::set<std::string> outputs;
    double changed = 0;
    for (std::uint64_t seed = 0; seed < 30; ++seed) {
      const std::string out = perturb_instruction(text, level, seed);
      outputs.insert(out);
      CHECK(out != text);  // this instruction always offers a synonym
      const Tokens a = tokenize(text), b = tokenize(out);
      std::set<std::string> original(a.begin(), a.end());
      for (const auto& w : b) changed += original.count(w) ? 0 : 1;
    }
    CHECK(outputs.size() > 3);  // the seed matters
    const int changed_words = static_cast<int>(changed);
    CHECK(changed_words > changed_words_prev);
    changed_words_prev = changed_words;
  }
  CHECK(perturb_instruction(text, 0, 7) == text);
}

TEST_CASE("Typos stay one edit from the word and are never another known word",
          "[perturb][language]") {
  std::set<std::string> lexicon;
  for (const auto& c : synonym_classes()) {
    for (const auto& m : c) {
      for (const auto& w : tokenize(m)) lexicon.insert(w);
    }
  }
  int typos = 0;
  for (const auto& text : instructions()) {
    const Tokens t = tokenize(text);
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      Rng rng(seed);
      const Tokens out = add_typos(t, 2, rng);
      REQUIRE(out.size() == t.size());
      int changed = 0;
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (out[i] == t[i]) continue;
        ++changed;
        INFO(t[i] << " -> " << out[i]);
        CHECK(edit_distance(out[i], t[i]) == 1);
        CHECK(lexicon.count(out[i]) == 0);
        CHECK(std::find(t.begin(), t.end(), out[i]) == t.end());
      }
      CHECK(changed <= 2);
      typos += changed;
    }
  }
  CHECK(typos > 0);
}

TEST_CASE("Reordering turns two steps around with a connector and fronts a lone phrase",
          "[perturb][language]") {
  Rng rng(3);
  const std::string two =
      detokenize(reorder_clauses(tokenize("pick up the red cube and place it on the plate"), rng));
  CHECK((two == "place it on the plate after you pick up the red cube" ||
         two == "place it on the plate, but first pick up the red cube"));
  const std::string one =
      detokenize(reorder_clauses(tokenize("push the blue block into the green square"), rng));
  CHECK(one == "into the green square, push the blue block");
  // Nouns joined by "and" are not two steps.
  const std::string nouns = "put both the alphabet soup and the tomato sauce in the basket";
  CHECK(detokenize(reorder_clauses(tokenize(nouns), rng)) ==
        "in the basket, put both the alphabet soup and the tomato sauce");
  CHECK(detokenize(reorder_clauses(tokenize("open the drawer"), rng)) == "open the drawer");
}

TEST_CASE("Prepositions change only before an object and spatial phrases stay whole",
          "[perturb][language]") {
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    Rng rng(seed);
    const std::string a =
        detokenize(apply_synonyms(tokenize("open the top drawer and put the bowl inside"), 5, rng));
    CHECK(a.substr(a.size() - 6) == "inside");
    const std::string b =
        detokenize(apply_synonyms(tokenize("put the mug on the left plate"), 5, rng));
    CHECK(b.find(" on the left ") != std::string::npos);
  }
}
