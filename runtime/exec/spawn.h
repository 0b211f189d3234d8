// Starting one child with posix_spawnp: argv (never a shell), its own process
// group, stdin/stdout/stderr on fresh pipes, every other descriptor closed,
// default signal dispositions and an empty signal mask, optional working
// directory, the parent's environment plus overrides (or only the given
// variables).
//
// Not for: watching, feeding or reaping the child (process.cpp does that).
#pragma once

#include "exec/process.h"
#include "exec/unique_fd.h"

#include "llvm/Support/Error.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace llmflow::exec {

struct SpawnedChild {
  pid_t pid = -1;          // also the process group id
  UniqueFd stdinWrite;     // invalid when spec.stdinData is empty (child gets /dev/null)
  UniqueFd stdoutRead;
  UniqueFd stderrRead;
};

/// Starts the child. The parent's pipe ends are close-on-exec and
/// non-blocking. Errors: ProgramNotFound, BadWorkingDirectory, SpawnFailed.
llvm::Expected<SpawnedChild> spawnChild(const ProcessSpec &spec);

/// The environment for a child: `base` ("NAME=value" entries) with every
/// entry whose name appears in `overrides` replaced, then `overrides`.
std::vector<std::string> mergeEnvironment(char *const *base, const std::vector<std::string> &overrides);

/// The entries of `base` ("NAME=value") whose names are in `names`, in the
/// order of `names`; names `base` lacks are left out.
std::vector<std::string> pickEnvironment(char *const *base, const std::vector<std::string> &names);

} // namespace llmflow::exec
