// Syntax errors in the language's own words. ANTLR's DefaultErrorStrategy
// finds the errors and recovers; this subclass words them ("expected ';'
// after property 'timeout'", "expected a statement, found 'lmm'"), places
// a missing token right after the token it should follow, and adds repairs
// where the intent is clear: a misspelt keyword is read as that keyword, an
// unknown statement is skipped as a whole. After an error that could not be
// repaired, the rest of that statement stays quiet: one mistake, one error.
#include "parse/parse_internal.h"

#include "support/suggest.h"

namespace llmflow::parse {
using support::DiagID;
using antlr4::misc::IntervalSet;

support::DiagBuilder ParseState::report(DiagID id, llvm::SMRange r) {
  ++errors;
  if (diags.errorLimitReached()) {
    // Dropped; the engine says it stopped. Reported as the argument-less
    // stop itself: `id` would be formatted without its arguments.
    diags.report(DiagID::ErrTooManyErrors, r);
    throw StopParsing{};
  }
  return diags.report(id, r);
}

llvm::SMRange ParseState::after(antlr4::Token *t) const {
  llvm::SMLoc end = locs.range(t, t).End;
  return {end, end};
}

std::string describeToken(antlr4::Token *t) {
  switch (t->getType()) {
  case antlr4::Token::EOF: return "end of file";
  case Lexer::STRING:
  case Lexer::TSTRING: return "a string";
  default: break;
  }
  std::string text = t->getText();
  if (text.size() > 24)
    text = text.substr(0, 21) + "...";
  return "'" + text + "'";
}

namespace {

const size_t kStatementStarters[] = {Lexer::LLM,  Lexer::PLANNER, Lexer::TOOL,  Lexer::CALL,  Lexer::IF,
                                     Lexer::LOOP, Lexer::MAP,     Lexer::LET,   Lexer::YIELD, Lexer::RETURN};
const size_t kDeclStarters[] = {Lexer::IMPORT, Lexer::DEFAULTS, Lexer::RECORD, Lexer::ENUM, Lexer::TOOL, Lexer::APP};
const size_t kExprStarters[] = {Lexer::INT,   Lexer::FLOAT, Lexer::DURATION, Lexer::STRING, Lexer::TSTRING,
                                Lexer::TRUE,  Lexer::FALSE, Lexer::NONE,     Lexer::IDENT,  Lexer::MATCH};

bool containsAll(const IntervalSet &set, llvm::ArrayRef<size_t> types) {
  return llvm::all_of(types, [&](size_t t) { return set.contains(t); });
}

std::string literal(const antlr4::dfa::Vocabulary &v, size_t type) {
  if (type == antlr4::Token::EOF)
    return "end of file";
  if (type == Lexer::IDENT)
    return "a name";
  if (type == Lexer::STRING || type == Lexer::TSTRING)
    return "a string";
  if (type == Lexer::INT || type == Lexer::FLOAT)
    return "a number";
  if (type == Lexer::DURATION)
    return "a duration";
  return v.getLiteralName(type); // quoted: 'llm', ';'
}

/// "';'", "',' or '}'", "a statement or '}'": what the parser wanted, with
/// groups named instead of listed, and operators that could merely continue
/// an expression left out when something else would also do.
std::string describeExpected(IntervalSet set, const antlr4::dfa::Vocabulary &v) {
  std::vector<std::string> parts;
  auto group = [&](llvm::ArrayRef<size_t> types, const char *name) {
    if (!containsAll(set, types))
      return;
    parts.push_back(name);
    for (size_t t : types)
      set.remove(t);
  };
  group(kStatementStarters, "a statement");
  group(kDeclStarters, "a declaration");
  if (set.contains(size_t(Lexer::IDENT)) && set.contains(size_t(Lexer::INT)) && set.contains(size_t(Lexer::STRING))) {
    parts.push_back("an expression");
    for (size_t t : kExprStarters)
      set.remove(t);
    for (const char *p : {"'('", "'['", "'{'", "'!'", "'-'"})
      for (ssize_t t : set.toList())
        if (v.getLiteralName(size_t(t)) == p)
          set.remove(t);
  }
  static const llvm::StringSet<> continuations = {"'.'",  "'['",  "'*'", "'/'",  "'%'",  "'+'",  "'-'",
                                                  "'?\?'", "'<'",  "'<='", "'>'", "'>='", "'=='", "'!='",
                                                  "'&&'", "'||'", "'?'"};
  std::vector<std::string> rest, ops;
  for (ssize_t t : set.toList()) {
    if (t == ssize_t(antlr4::Token::EPSILON))
      continue;
    std::string s = literal(v, size_t(t));
    (continuations.contains(s) ? ops : rest).push_back(s);
  }
  if (parts.empty() && rest.empty())
    rest = ops;
  for (std::string &r : rest)
    if (std::find(parts.begin(), parts.end(), r) == parts.end())
      parts.push_back(r);
  if (parts.empty())
    return "something else";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i == 0 ? "" : i + 1 == parts.size() ? " or " : ", ") + parts[i];
  return out;
}

/// What a missing ';' should follow, from the rule that wanted it.
std::string terminated(antlr4::ParserRuleContext *ctx) {
  if (auto *p = dynamic_cast<Parser::PropContext *>(ctx))
    return "property '" + (p->IDENT() ? p->IDENT()->getText() : std::string()) + "'";
  if (auto *l = dynamic_cast<Parser::LetStmtContext *>(ctx))
    return "'let " + (l->IDENT() ? l->IDENT()->getText() : std::string()) + "'";
  if (dynamic_cast<Parser::YieldStmtContext *>(ctx))
    return "the 'yield' statement";
  if (dynamic_cast<Parser::ReturnStmtContext *>(ctx))
    return "the 'return' statement";
  if (dynamic_cast<Parser::ImportDeclContext *>(ctx))
    return "the import";
  return "";
}

/// The bracket a closing one would match: the last one still open before
/// the current token.
antlr4::Token *unclosed(antlr4::Parser *p, llvm::StringRef closer) {
  llvm::StringRef opener = closer == "}" ? "{" : closer == ")" ? "(" : "[";
  auto *ts = static_cast<antlr4::BufferedTokenStream *>(p->getTokenStream());
  std::vector<antlr4::Token *> open;
  for (size_t i = 0; i < p->getCurrentToken()->getTokenIndex(); ++i) {
    antlr4::Token *t = ts->get(i);
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL)
      continue;
    if (t->getText() == opener)
      open.push_back(t);
    else if (t->getText() == closer && !open.empty())
      open.pop_back();
  }
  return open.empty() ? nullptr : open.back();
}

class Strategy : public antlr4::DefaultErrorStrategy {
public:
  explicit Strategy(ParseState &st) : st(st) {}

  void sync(antlr4::Parser *p) override {
    size_t rule = p->getContext()->getRuleIndex();
    bool itemLevel = rule == Parser::RuleBlock || rule == Parser::RuleModule;
    bool boundary = itemLevel || rule == Parser::RulePropBlock;
    antlr4::Token *t = p->getCurrentToken();
    const antlr4::atn::ATN &atn = p->getATN();
    IntervalSet next = atn.nextTokens(atn.states[p->getState()]);
    if (next.contains(t->getType()) || next.contains(size_t(antlr4::Token::EPSILON))) {
      if (boundary) {
        // A new statement, declaration or property begins: errors from
        // here on are new mistakes (after an unrepaired one, only in the
        // next declaration).
        quietItem = false;
        if (rule == Parser::RuleModule)
          quietDecl = false;
        if (unwinding) {
          unwinding = false;
          endErrorCondition(p);
        }
      }
      return;
    }
    if (unwinding)
      return;
    if (inErrorRecoveryMode(p))
      return;
    // A token that only follows a closing bracket ('else', 'until', a
    // declaration, the end of the file), or a statement keyword where a
    // closer is due: let match() insert the closer rather than skip.
    size_t la = t->getType();
    bool declOnly = llvm::is_contained(kDeclStarters, la) && !llvm::is_contained(kStatementStarters, la);
    if (la == antlr4::Token::EOF || la == Lexer::ELSE || la == Lexer::UNTIL || (rule == Parser::RuleBlock && declOnly))
      return;
    if (itemLevel) {
      unknownItem(p, rule == Parser::RuleModule, next);
      return;
    }
    // Likewise a terminator or closing bracket: what is missing before it
    // (a closing bracket, most often) is made up by match().
    std::string text = t->getText();
    if (llvm::is_contained(kStatementStarters, la) || llvm::is_contained(kDeclStarters, la) || text == ";" ||
        text == ")" || text == "]" || text == "}")
      return;
    if (rule == Parser::RulePropBlock) {
      if (dropStray(p, next))
        return;
      // Not a property: skip to the end of this one (';') or of the block.
      badToken(p, next);
      skipUntil(p, [](antlr4::Token *x, int depth) { return depth == 0 && (x->getText() == ";" || x->getText() == "}"); });
      if (p->getCurrentToken()->getText() == ";")
        p->consume();
      return;
    }
    DefaultErrorStrategy::sync(p);
  }

  antlr4::Token *recoverInline(antlr4::Parser *p) override {
    if (unwinding)
      throw antlr4::InputMismatchException(p); // leave the rule, consuming nothing
    antlr4::Token *t = p->getCurrentToken();
    if (t->getType() == Lexer::IDENT && !inErrorRecoveryMode(p) && speak()) {
      // A misspelt keyword ('untill' for 'until'): read it as the keyword.
      IntervalSet expected = getExpectedTokens(p);
      std::vector<std::string> keywords;
      std::vector<size_t> types;
      for (ssize_t x : expected.toList())
        if (x >= Lexer::IMPORT && x <= Lexer::NONE) {
          keywords.push_back(llvm::StringRef(p->getVocabulary().getLiteralName(size_t(x))).trim('\'').str());
          types.push_back(size_t(x));
        }
      if (auto best = support::closestName(t->getText(), keywords)) {
        (st.report(DiagID::ErrExpectedToken, st.range(t)) << describeExpected(expected, p->getVocabulary())
                                                          << describeToken(t))
            .suggest(st.range(t), best);
        quietItem = true;
        size_t type = types[size_t(std::find(keywords.begin(), keywords.end(), *best) - keywords.begin())];
        static_cast<antlr4::WritableToken *>(t)->setType(type);
        p->consume();
        return t;
      }
    }
    return DefaultErrorStrategy::recoverInline(p);
  }

  void reportError(antlr4::Parser *p, const antlr4::RecognitionException &e) override {
    // Even an error ANTLR keeps quiet (in recovery mode) leaves a rule
    // unfinished.
    st.faithful = false;
    if (!unwinding)
      DefaultErrorStrategy::reportError(p, e);
  }

  /// After an error that could not be repaired: skip to the end of the
  /// innermost property, statement or declaration, then let the rules
  /// return (consuming nothing) until one that parses a list of those
  /// continues with the next one.
  void recover(antlr4::Parser *p, std::exception_ptr e) override {
    if (unwinding)
      return;
    for (antlr4::ParserRuleContext *c = p->getContext(); c; c = dynamic_cast<antlr4::ParserRuleContext *>(c->parent)) {
      size_t rule = c->getRuleIndex();
      if (rule != Parser::RuleProp && rule != Parser::RuleStmt && rule != Parser::RuleModuleItem)
        continue;
      int depth = depthSince(p, c->getStart());
      skipItem(p, rule, depth, c->getStart());
      unwinding = true;
      beginErrorCondition(p);
      return;
    }
    DefaultErrorStrategy::recover(p, e);
  }

protected:
  void reportNoViableAlternative(antlr4::Parser *p, const antlr4::NoViableAltException &e) override {
    // The expected tokens are those of the decision's start; when the
    // alternatives parted later (`import import`), they would name what
    // was found: say only what is out of place.
    if (e.getStartToken() != e.getOffendingToken()) {
      bool wasQuiet = !speak();
      silence();
      if (!wasQuiet)
        st.report(DiagID::ErrUnexpectedToken, st.range(e.getOffendingToken())) << describeToken(e.getOffendingToken());
      return;
    }
    expectedFound(p, e.getOffendingToken(), e.getExpectedTokens());
  }

  void reportInputMismatch(antlr4::Parser *p, const antlr4::InputMismatchException &e) override {
    expectedFound(p, e.getOffendingToken(), e.getExpectedTokens());
  }

  void reportFailedPredicate(antlr4::Parser *p, const antlr4::FailedPredicateException &e) override {
    expectedFound(p, e.getOffendingToken(), e.getExpectedTokens());
  }

  void reportUnwantedToken(antlr4::Parser *p) override {
    if (inErrorRecoveryMode(p))
      return;
    beginErrorCondition(p);
    // The token is dropped. A stray closing bracket or separator leaves the
    // rest reading as intended; dropping anything else changes the meaning.
    antlr4::Token *t = p->getCurrentToken();
    bool wasQuiet = !speak();
    quietItem = true;
    if (!isStray(t))
      st.faithful = false;
    if (!wasQuiet)
      st.report(DiagID::ErrUnexpectedToken, st.range(t)) << describeToken(t);
  }

  void reportMissingToken(antlr4::Parser *p) override {
    if (inErrorRecoveryMode(p))
      return;
    beginErrorCondition(p);
    IntervalSet expected = getExpectedTokens(p);
    std::string what = describeExpected(expected, p->getVocabulary());
    antlr4::Token *prev = p->getTokenStream()->LT(-1);
    llvm::SMRange at = prev ? st.after(prev) : st.range(p->getCurrentToken());
    // A made-up ';', ')' or ']' changes nothing else in the tree. A '}' may
    // be due far from where it was left out (every statement in between
    // then reads as inside the block): the tree is not trusted then.
    bool repair = what == "';'" || what == "')'" || what == "']'" || what == "','";
    bool wasQuiet = !speak();
    quietItem = true;
    if (!repair)
      st.faithful = false;
    if (wasQuiet)
      return;
    std::string after = terminated(p->getContext());
    if (what == "';'" && !after.empty()) {
      st.report(DiagID::ErrExpectedAfter, at) << what << after;
      return;
    }
    auto d = st.report(DiagID::ErrMissingToken, at);
    d << what;
    if (what == "'}'" || what == "')'" || what == "']'")
      if (antlr4::Token *open = unclosed(p, llvm::StringRef(what).trim('\'')))
        d.note(DiagID::NoteToMatch, st.range(open), {open->getText()});
  }

private:
  ParseState &st;
  /// An error was reported in the current statement or property: further
  /// errors before the next one are likely its consequences.
  bool quietItem = false;
  /// An error that could not be repaired was reported in the current
  /// declaration: recovery may be out of step until the next one.
  bool quietDecl = false;
  /// Recovery skipped to the end of an item; rules return until the list
  /// that holds it goes on.
  bool &unwinding = st.unwinding;

  /// Brackets opened and not closed from `start` to the current token.
  static int depthSince(antlr4::Parser *p, antlr4::Token *start) {
    auto *ts = static_cast<antlr4::BufferedTokenStream *>(p->getTokenStream());
    int depth = 0;
    for (size_t i = start->getTokenIndex(); i < p->getCurrentToken()->getTokenIndex(); ++i) {
      std::string s = ts->get(i)->getText();
      if (ts->get(i)->getChannel() != antlr4::Token::DEFAULT_CHANNEL)
        continue;
      if (s == "{" || s == "(" || s == "[")
        ++depth;
      else if (s == "}" || s == ")" || s == "]")
        --depth;
    }
    return std::max(depth, 0);
  }

  /// Skips the rest of a property (through its ';'), statement (up to the
  /// next statement or the end of its block) or declaration (through its
  /// closing '}' or ';'), `depth` brackets deep at the start.
  static void skipItem(antlr4::Parser *p, size_t rule, int depth, antlr4::Token *start) {
    size_t line = p->getCurrentToken()->getLine();
    while (true) {
      antlr4::Token *x = p->getCurrentToken();
      size_t type = x->getType();
      std::string s = x->getText();
      if (type == antlr4::Token::EOF)
        return;
      // Brackets left open mislead depth; the next line that starts, no
      // deeper than this item, with a keyword that begins one is a sure
      // boundary.
      bool lineStart = x->getLine() != line && x->getCharPositionInLine() <= start->getCharPositionInLine();
      line = x->getLine();
      // The item's own first token is always skipped: stopping before it
      // would parse the same item again, and fail again, forever.
      bool past = x->getTokenIndex() > start->getTokenIndex();
      if (past && lineStart && ((rule == Parser::RuleStmt && llvm::is_contained(kStatementStarters, type)) ||
                        (rule == Parser::RuleModuleItem && llvm::is_contained(kDeclStarters, type))))
        return;
      if (depth == 0 && past) {
        if (rule == Parser::RuleProp && s == "}")
          return;
        if (rule == Parser::RuleStmt && (s == "}" || llvm::is_contained(kStatementStarters, type)))
          return;
        if (rule == Parser::RuleModuleItem && llvm::is_contained(kDeclStarters, type))
          return;
      }
      if (s == "{" || s == "(" || s == "[")
        ++depth;
      else if (s == "}" || s == ")" || s == "]")
        --depth;
      p->consume();
      if (depth == 0 && ((rule == Parser::RuleProp && s == ";") ||
                         (rule == Parser::RuleModuleItem && (s == "}" || s == ";"))))
        return;
      if (depth < 0)
        return; // closed the enclosing block: should not happen, but stop
    }
  }

  bool speak() const { return !quietItem && !quietDecl; }
  /// Punctuation that is easily typed twice or left over: dropping it
  /// leaves the rest reading as intended.
  static bool isStray(antlr4::Token *t) {
    static const llvm::StringSet<> stray = {")", "]", "}", "(", "[", "{"};
    return stray.contains(t->getText());
  }

  /// Drops the current token when what follows it is what is expected.
  bool dropStray(antlr4::Parser *p, const IntervalSet &next) {
    antlr4::TokenStream *ts = p->getTokenStream();
    antlr4::Token *t = ts->LT(1);
    bool separator = t->getText() == ";" || t->getText() == ",";
    if ((!isStray(t) && !separator) || !next.contains(ts->LT(2)->getType()))
      return false;
    if (speak())
      st.report(DiagID::ErrUnexpectedToken, st.range(t)) << describeToken(t);
    quietItem = true;
    p->consume();
    return true;
  }

  /// ANTLR's single-token deletion, for brackets typed twice only: a ';' or
  /// ',' before the wanted token more likely ends something left out.
  antlr4::Token *singleTokenDeletion(antlr4::Parser *p) override {
    if (!isStray(p->getCurrentToken()))
      return nullptr;
    return DefaultErrorStrategy::singleTokenDeletion(p);
  }

  /// ANTLR's single-token insertion, for what is easily left out (';',
  /// ',', a closing bracket): making up anything else starts a structure
  /// that is not there, so the item is skipped instead.
  bool singleTokenInsertion(antlr4::Parser *p) override {
    IntervalSet expected = getExpectedTokens(p);
    if (expected.size() != 1)
      return false;
    std::string what = p->getVocabulary().getLiteralName(size_t(expected.getSingleElement()));
    if (what != "';'" && what != "','" && what != "')'" && what != "']'" && what != "'}'" && what != "'{'")
      return false;
    if (what == "'{'") {
      // Only before what a block starts with: a statement, a property
      // (`name =`) or a field (`name:`).
      antlr4::TokenStream *ts = p->getTokenStream();
      size_t la = ts->LA(1);
      std::string second = ts->LT(2)->getText();
      if (!llvm::is_contained(kStatementStarters, la) && !(la == Lexer::IDENT && (second == "=" || second == ":")))
        return false;
    }
    return DefaultErrorStrategy::singleTokenInsertion(p);
  }
  void silence() {
    st.faithful = false;
    quietDecl = true;
  }

  void expectedFound(antlr4::Parser *p, antlr4::Token *t, const IntervalSet &expected) {
    bool wasQuiet = !speak();
    silence();
    if (wasQuiet)
      return;
    auto d = st.report(DiagID::ErrExpectedToken, t->getType() == antlr4::Token::EOF ? st.after(t) : st.range(t));
    d << describeExpected(expected, p->getVocabulary()) << describeToken(t);
    if (t->getType() == antlr4::Token::EOF && describeExpected(expected, p->getVocabulary()).find("'}'") != std::string::npos)
      if (antlr4::Token *open = unclosed(p, "}"))
        d.note(DiagID::NoteToMatch, st.range(open), {"{"});
  }

  /// Reports the current token as not expected here (once per statement).
  void badToken(antlr4::Parser *p, const IntervalSet &next) {
    antlr4::Token *t = p->getCurrentToken();
    if (speak())
      st.report(DiagID::ErrExpectedToken, st.range(t)) << describeExpected(next, p->getVocabulary()) << describeToken(t);
    silence();
  }

  /// Consumes tokens (at least one) until `stop(token, depth)` holds, where
  /// depth counts the brackets opened since.
  template <typename Stop> void skipUntil(antlr4::Parser *p, Stop stop) {
    int depth = 0;
    bool first = true;
    while (true) {
      antlr4::Token *x = p->getCurrentToken();
      if (x->getType() == antlr4::Token::EOF || (!first && stop(x, depth)))
        return;
      std::string s = x->getText();
      if (s == "{" || s == "(" || s == "[")
        ++depth;
      else if ((s == "}" || s == ")" || s == "]") && depth-- == 0)
        return; // closes an enclosing bracket: not ours to skip
      first = false;
      p->consume();
    }
  }

  /// Something that is no statement (in a block) or declaration (at the
  /// top level): a misspelt keyword is read as the keyword when what
  /// follows fits it; anything else is skipped up to the next statement.
  void unknownItem(antlr4::Parser *p, bool module, const IntervalSet &next) {
    antlr4::TokenStream *ts = p->getTokenStream();
    antlr4::Token *t = ts->LT(1);
    // One stray token before a proper statement: drop it.
    if (dropStray(p, next))
      return;
    std::optional<std::string> best;
    if (t->getType() == Lexer::IDENT) {
      static const std::vector<std::string> stmtWords = {"llm", "planner", "tool", "call", "if", "loop",
                                                         "map", "let", "yield", "return"};
      static const std::vector<std::string> declWords = {"import", "defaults", "record", "enum", "tool", "app"};
      best = support::closestName(t->getText(), module ? declWords : stmtWords);
    }
    if (speak()) {
      auto d = st.report(DiagID::ErrExpectedToken, st.range(t));
      d << describeExpected(next, p->getVocabulary()) << describeToken(t);
      d.suggest(st.range(t), best);
    }
    if (best && fits(*best, module, ts->LT(2), ts->LT(3))) {
      static_cast<antlr4::WritableToken *>(t)->setType(keywordType(*best));
      return; // read as meant: the tree stays faithful
    }
    silence();
    // Skip to the next statement (or declaration) at this level.
    llvm::ArrayRef<size_t> starters =
        module ? llvm::ArrayRef<size_t>(kDeclStarters) : llvm::ArrayRef<size_t>(kStatementStarters);
    skipUntil(p, [&](antlr4::Token *x, int depth) {
      return depth == 0 && (x->getText() == "}" || llvm::is_contained(starters, x->getType()));
    });
  }

  static size_t keywordType(llvm::StringRef w) {
    static const std::pair<const char *, size_t> words[] = {
        {"llm", Lexer::LLM},     {"planner", Lexer::PLANNER}, {"tool", Lexer::TOOL},         {"call", Lexer::CALL},
        {"if", Lexer::IF},       {"loop", Lexer::LOOP},       {"map", Lexer::MAP},           {"let", Lexer::LET},
        {"yield", Lexer::YIELD}, {"return", Lexer::RETURN},   {"import", Lexer::IMPORT},     {"defaults", Lexer::DEFAULTS},
        {"record", Lexer::RECORD}, {"enum", Lexer::ENUM},     {"app", Lexer::APP}};
    for (auto [name, type] : words)
      if (w == name)
        return type;
    llvm_unreachable("not a statement or declaration keyword");
  }

  /// Whether the tokens after a misspelt keyword have that keyword's shape.
  static bool fits(llvm::StringRef kw, bool module, antlr4::Token *t2, antlr4::Token *t3) {
    bool name = t2->getType() == Lexer::IDENT;
    std::string n3 = t3->getText();
    if (kw == "llm")
      return name && (n3 == "{" || n3 == "->");
    if (kw == "planner" || kw == "record" || kw == "enum")
      return name && n3 == "{";
    if (kw == "tool")
      return name && n3 == (module ? "(" : "=");
    if (kw == "call")
      return name && n3 == "=";
    if (kw == "if" || kw == "map")
      return name && n3 == "(";
    if (kw == "loop")
      return name && (n3 == "(" || n3 == "->");
    if (kw == "let")
      return name && (n3 == "=" || n3 == ":");
    if (kw == "app")
      return name && n3 == "(";
    if (kw == "defaults")
      return t2->getText() == "{";
    if (kw == "import")
      return name || t2->getType() == Lexer::STRING;
    std::string n2 = t2->getText(); // yield, return: an expression follows
    return n2 != "=" && n2 != "{" && n2 != ":" && n2 != ";" && t2->getType() != antlr4::Token::EOF;
  }
};

} // namespace

std::shared_ptr<antlr4::ANTLRErrorStrategy> makeErrorStrategy(ParseState &st) {
  return std::make_shared<Strategy>(st);
}

} // namespace llmflow::parse
