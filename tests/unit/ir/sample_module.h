// A small hand-built IR module shared by the IR unit tests, plus expression
// shorthands. The module verifies cleanly; tests break copies of it.
#pragma once

#include "ir/ir.h"

namespace llmflow::ir::test {

Expr lit(llvm::json::Value v, Type t);
Expr inputRef(std::string name, Type t);
Expr nodeRef(std::string id, std::vector<std::string> fields, Type t);
Expr loopRef(std::string loop, std::vector<std::string> fields, Type t);
Expr itemRef(std::string map, Type t);
Template text(std::string s);
Template textAndHole(std::string s, Expr hole);

/// Apps "helper" (one LLM node) and "codegen": LLM "gen", Regular "first",
/// loop "fixes" (body: fix, check), planner "research" + "research.steps"
/// (body: a tool step and a call of "helper"), branch "decide" (two bodies),
/// map "translate" (body: port).
Module sampleModule();

/// The node with this id anywhere in the module; asserts that it exists.
Node &findNode(Module &m, llvm::StringRef id);

} // namespace llmflow::ir::test
