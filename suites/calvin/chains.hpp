// Chains of five subtasks, as CALVIN evaluates: chain i of a suite is drawn
// from the suite seed and i alone (two policies meet the same chains), from a
// sampled initial state, each subtask feasible from the state the previous
// leaves, no two of one category. A chain file (--chains) freezes a list.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "suites/calvin/subtasks.hpp"

namespace gauntlet::suites::calvin {

struct Chain {
  Symbolic init;
  std::array<int, kChainLength> tasks{};  // indices into subtasks()
};

// Chain `index` of a suite with seed `seed`.
Chain sample_chain(std::uint64_t seed, int index);
// The physical initial state of chain `index`: block poses near the sockets
// and compartments (jitter from the seed and index), articulations from init.
bullet::PlayInit realize(const Symbolic& init, std::uint64_t seed, int index,
                         const DeskLayout& layout);
// "" when every subtask is feasible in turn and no category repeats; else why not.
std::string chain_problem(const Chain& chain);

// Reads a chain file: a JSON list whose items are [INITIAL, [5 names]] (CALVIN's
// eval_sequences.json) or {"initial": INITIAL, "subtasks": [...]}; INITIAL has led,
// lightbulb (0/1), slider (left/right), drawer (open/closed), red_block, blue_block,
// pink_block (table/slider_left/slider_right/drawer). InputError "FILE:LINE: ..."
// naming what was expected for malformed items, unknown subtasks and infeasible chains.
std::vector<Chain> parse_chain_file(const std::string& text, const std::string& file);
std::vector<Chain> load_chain_file(const std::string& path);
// The inverse (for tests and `record`): JSON text of a list of chains.
std::string chains_to_json(const std::vector<Chain>& chains);

}  // namespace gauntlet::suites::calvin
