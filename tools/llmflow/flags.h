// Numeric command-line flags, read one way for every command: the value must
// be a finite number inside the flag's documented range, and a whole number
// where the flag counts something. A bad value is a usage error that names
// the flag and the range ("--llm-slots expects a whole number from 1 to
// 100000, got '1e12'"); nothing is silently truncated or clamped.
#pragma once

#include "cli.h"

#include <cstdint>

namespace llmflow::cli {

struct NumberSpec {
  double min = 0, max = 0;
  bool minExclusive = false; // (min, max] instead of [min, max]
  bool whole = false;        // an integer literal: no fraction, no exponent
};

/// The ranges shared by several commands (documented in their --help).
inline constexpr NumberSpec kTimeScaleSpec{1e-3, 1e6};
inline constexpr NumberSpec kSeedSpec{0, 1e19, false, true};
inline constexpr NumberSpec kSlotsSpec{1, 100000, false, true};
inline constexpr NumberSpec kJobsSpec{1, 10000000, false, true};
inline constexpr NumberSpec kRateSpec{0, 1e6, true};

/// Reads --NAME into `out` if given. On a bad value prints the reason to
/// stderr and returns false; an absent flag leaves `out` as it is.
bool numberFlag(const Args &args, llvm::StringRef name, const NumberSpec &spec, double &out);
bool numberFlag(const Args &args, llvm::StringRef name, const NumberSpec &spec, unsigned &out);
bool numberFlag(const Args &args, llvm::StringRef name, const NumberSpec &spec, uint64_t &out);

} // namespace llmflow::cli
