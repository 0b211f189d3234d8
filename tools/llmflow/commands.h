// The subcommands of the llmflow binary.
#pragma once

#include "cli.h"

namespace llmflow::cli {
Command checkCommand();
Command compileCommand();
Command runCommand();
Command batchCommand();
Command profileCommand();
Command simulateCommand();
Command bnCommand();
Command estimateCommand();
Command decimaCommand();
Command testCommand();
Command reportCommand();
Command fmtCommand();
Command serveCommand();
} // namespace llmflow::cli
