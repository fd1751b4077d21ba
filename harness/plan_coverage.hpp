// How much of its experiment's plan a results file holds: which shards it was
// made from, how many planned episodes are finished, and what is missing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/results_store.hpp"

namespace gauntlet {

// The shards of one experiment a results file holds, from its `shard`
// attribute: "I/N" (one shard run), "merged:I,J,.../N" (a merge), or the
// legacy "merged:K" of older merges (which shards is unknown).
struct ShardSet {
  int count = 1;
  std::vector<int> indices{0};  // sorted, distinct; empty when unknown
  bool known() const { return !indices.empty(); }
  bool all() const { return known() && static_cast<int>(indices.size()) == count; }
  std::string to_string() const;  // the attribute text: "I/N" or "merged:I,J/N"
  // Shards not held, as "I/N" texts (empty when unknown or all held).
  std::vector<std::string> missing() const;
  // InputError naming `where` when `text` is none of the forms above.
  static ShardSet parse(const std::string& text, const std::string& where);
};

// Episodes of a shard: canonical positions i of a plan of `total` episodes with i mod N == I.
std::size_t shard_planned_episodes(std::size_t total, int index, int count);

struct PlanCoverage {
  std::size_t planned = 0;  // episodes of the whole experiment: per task, perturbations x its count
  std::size_t finished = 0;  // rows of the file that belong to that plan
  ShardSet shards;
  std::size_t shard_planned = 0;              // episodes of the shards the file holds
  std::vector<std::string> missing_examples;  // first missing "task/perturbation/index" keys
  bool complete() const { return planned > 0 && finished >= planned; }
  // "3 of 6 planned episodes"
  std::string summary() const;
  // What a user must add: "shard 1/2 not merged; 3 episodes missing (e.g. t/nominal/1)".
  std::string missing() const;
};

PlanCoverage plan_coverage(const RunResults& run);

// InputError "FILE: incomplete run: 3 of 6 planned episodes; <missing>. Merge the
// missing shards (or finish the run), or pass --allow-incomplete" for `command`.
void require_complete(const RunResults& run, const std::string& file, const std::string& command);

}  // namespace gauntlet
