// The `language` perturbation: rewords an instruction without changing what it asks
// for (synonyms, paraphrase templates, reordered clauses, a distractor clause, typos),
// template- and lexicon-based and deterministic, plus the meaning check its tests use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/rng.hpp"

namespace gauntlet::perturb {

using Tokens = std::vector<std::string>;

// Lowercase words, with , . ? ! ; as tokens of their own.
Tokens tokenize(const std::string& text);
std::string detokenize(const Tokens& tokens);

// The single operations (each a no-op when the instruction offers nothing to
// change, e.g. no synonym in the lexicon). `rng` supplies every choice.
// Replaces up to `count` words or phrases by a synonym of the same class.
Tokens apply_synonyms(const Tokens& text, int count, Rng& rng);
// Turns "A and B" into "B after you A" or "B, but first A" (two clauses), or
// fronts a prepositional phrase ("into the square, push the block").
Tokens reorder_clauses(const Tokens& text, Rng& rng);
// Frames the instruction: "please ...", "could you ...?", ...
Tokens apply_paraphrase(const Tokens& text, Rng& rng);
// Adds an irrelevant sentence before or after.
Tokens add_distractor_clause(const Tokens& text, Rng& rng);
// Swaps two interior letters or doubles one in up to `count` words of 4+
// letters; never produces a known word or one as near to another known word.
Tokens add_typos(const Tokens& text, int count, Rng& rng);

// The instruction at `level` (0: unchanged), operations cumulative as in
// language_level(); `seed` is the dimension's seed for the episode.
std::string perturb_instruction(const std::string& instruction, int level, std::uint64_t seed);

// What an instruction asks for: its clauses in execution order, each as
// canonical tokens (synonyms mapped to their class's first member, frames,
// distractor sentences and reordering undone, typos corrected against
// `reference`'s words). Two instructions with equal meanings ask for the same thing.
std::vector<Tokens> instruction_meaning(const std::string& text, const std::string& reference);

// The lexicon and templates, for tests and documentation.
const std::vector<std::vector<std::string>>& synonym_classes();
const std::vector<std::pair<std::string, std::string>>& paraphrase_templates();  // prefix, suffix
const std::vector<std::string>& distractor_clauses();

// Damerau-Levenshtein (optimal string alignment) distance.
int edit_distance(const std::string& a, const std::string& b);

}  // namespace gauntlet::perturb
