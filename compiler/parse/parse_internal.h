// Internal to the parse library: the state that the token pre-scan, the
// syntax-error strategy and the AST builder share while one buffer (or one
// template hole) is parsed. Includes generated headers; never installed.
#pragma once

#include "LLFlowLexer.h"
#include "LLFlowParser.h"
#include "parse/ast_builder.h"
#include "parse/parser.h"

#include "antlr4-runtime.h"
#include "llvm/ADT/StringSet.h"

namespace llmflow::parse {

using Lexer = llmflow_antlr::LLFlowLexer;
using Parser = llmflow_antlr::LLFlowParser;

/// Thrown to abandon a parse once the error limit is reached.
struct StopParsing {};

struct ParseState {
  ParseState(support::DiagnosticEngine &diags, const LocMap &locs, const ParseOptions &opts)
      : diags(diags), locs(locs), opts(opts) {}

  support::DiagnosticEngine &diags;
  const LocMap &locs;
  const ParseOptions &opts;
  /// Syntax errors reported for this buffer.
  unsigned errors = 0;
  /// False once an error could not be repaired in the tree (a token was
  /// skipped or made up). With a faithful tree the AST is built and checked
  /// even after syntax errors, so later, independent mistakes are reported.
  bool faithful = true;
  /// Keywords the program used as names (each reported once, where it is
  /// declared): further uses in name positions are read as names silently.
  llvm::StringSet<> keywordNames;
  /// Error recovery skipped to the end of a statement (or property, or
  /// declaration): rules return, matching nothing, until the list holding
  /// it goes on.
  bool unwinding = false;

  /// Reports a syntax error; past the error limit, parsing stops.
  support::DiagBuilder report(support::DiagID id, llvm::SMRange r);
  llvm::SMRange range(antlr4::Token *t) const { return locs.range(t, t); }
  /// The empty range just after a token (where something is missing).
  llvm::SMRange after(antlr4::Token *t) const;
};

/// The generated parser, with match() failing while recovery unwinds (so a
/// rule that returns does not take a token meant for the next statement).
class RecoveringParser : public Parser {
public:
  RecoveringParser(antlr4::TokenStream *input, ParseState &st) : llmflow_antlr::LLFlowParser(input), st(st) {}
  antlr4::Token *match(size_t ttype) override {
    if (st.unwinding)
      throw antlr4::InputMismatchException(this);
    return llmflow_antlr::LLFlowParser::match(ttype);
  }

private:
  ParseState &st;
};

/// Checks the token stream before the parser runs: nesting depth (deep
/// input would exhaust the recursive parser's stack), unterminated strings
/// and comments, and keywords used as names, which are reported and
/// re-typed as names. False when parsing cannot go on.
bool prescan(ParseState &st, const std::vector<antlr4::Token *> &tokens);

/// ANTLR's error strategy with messages in the language's own words and
/// repairs that keep the tree faithful where the intent is clear (a missing
/// ';' or closing bracket, a misspelt keyword).
std::shared_ptr<antlr4::ANTLRErrorStrategy> makeErrorStrategy(ParseState &st);

/// What a token is, for messages: "'foo'", "a string", "end of file".
std::string describeToken(antlr4::Token *t);

} // namespace llmflow::parse
