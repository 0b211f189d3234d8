// The token pre-scan that runs before the parser: limits on nesting, the
// lexical mistakes best reported where they start (unterminated strings and
// comments), and keywords used as names.
#include "parse/parse_internal.h"

namespace llmflow::parse {
using support::DiagID;

namespace {

bool isKeyword(size_t type) { return type >= Lexer::IMPORT && type <= Lexer::NONE; }

/// Keywords that a name follows: `llm NAME`, `record NAME`, ...
bool isDeclKeyword(size_t type) {
  switch (type) {
  case Lexer::LLM: case Lexer::PLANNER: case Lexer::TOOL: case Lexer::CALL: case Lexer::IF: case Lexer::LOOP:
  case Lexer::MAP: case Lexer::LET: case Lexer::APP: case Lexer::RECORD: case Lexer::ENUM:
    return true;
  default:
    return false;
  }
}

/// Tokens that may follow a string literal: anything else right after a
/// multi-line string means it ran past its intended end.
bool followsString(antlr4::Token *t) {
  static const llvm::StringSet<> ok = {";", ",", ")", "]", "}", "+", "==", "!=", "<", "<=", ">", ">=",
                                       "&&", "||", "??", ".", "[", "as", "=>"};
  return t->getType() == antlr4::Token::EOF || ok.contains(t->getText());
}

/// What a keyword (token type `self`) stands in place of, from the token before it and the
/// bracket it is in; empty when it is not in a name position.
std::string namePosition(size_t self, antlr4::Token *prev, antlr4::Token *next, char bracket, bool enumBraces) {
  size_t p = prev ? prev->getType() : 0;
  std::string n = next->getText();
  // Stages and values are declared only in blocks: at the top level a
  // statement keyword is itself the mistake, not the word after it.
  bool inBlock = bracket == '{';
  switch (p) {
  case Lexer::LLM: case Lexer::PLANNER: case Lexer::CALL: case Lexer::IF: case Lexer::LOOP: case Lexer::MAP:
    return inBlock ? "stage names" : "";
  case Lexer::TOOL: return n == "(" ? "tool names" : inBlock ? "stage names" : "";
  case Lexer::APP: return "application names";
  case Lexer::RECORD: case Lexer::ENUM: return "type names";
  case Lexer::LET: return inBlock ? "value names" : "";
  default: break;
  }
  std::string pt = prev ? prev->getText() : "";
  if (pt != "(" && pt != "," && pt != "{")
    return "";
  if (bracket == '(' && (n == ":" || n == "="))
    return "parameter and argument names";
  if (bracket == '{' && enumBraces && (n == "," || n == "}"))
    return "enum values";
  if (bracket == '{' && n == ":")
    return "field names";
  // `tool = f(...)` in a block is a statement without its name, not a
  // property named `tool`.
  if (bracket == '{' && n == "=" && pt != "," && !isDeclKeyword(self))
    return "property names";
  return "";
}

/// Where a name is read: after these, a keyword the program declared as a
/// name is that name.
bool readsName(antlr4::Token *prev, antlr4::Token *next) {
  static const llvm::StringSet<> before = {"=", "(", ",", ":", "[", "+", "-", "*", "/", "%", "==", "!=", "<",
                                           "<=", ">", ">=", "&&", "||", "!", "??", "=>", ".", "return",
                                           "yield", "in", "{"};
  return next->getText() == "." || (prev && before.contains(prev->getText()));
}

} // namespace

bool prescan(ParseState &st, const std::vector<antlr4::Token *> &all) {
  std::vector<antlr4::Token *> toks;
  toks.reserve(all.size());
  for (antlr4::Token *t : all)
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL)
      toks.push_back(t);
  unsigned depth = 0, prefixRun = 0, generics = 0, chain = 0;
  std::vector<char> brackets;       // open brackets: ( [ {
  std::vector<bool> enumBraces;     // parallel: a '{' that opens an enum's values
  const unsigned maxNesting = st.opts.maxNesting;
  for (size_t i = 0; i < toks.size(); ++i) {
    antlr4::Token *t = toks[i];
    antlr4::Token *prev = i ? toks[i - 1] : nullptr;
    antlr4::Token *next = i + 1 < toks.size() ? toks[i + 1] : t;
    size_t type = t->getType();
    // String literals (prompts) can be long and never open or close
    // anything: skip copying their text.
    std::string s = type == Lexer::STRING || type == Lexer::TSTRING ? std::string() : t->getText();

    if (type == Lexer::TSTRING && !followsString(next)) {
      // `"""abc` left open runs to the next `"""`, which was meant to open
      // another string: then the text before that `"""` ends like code
      // (`prompt = """`), and what follows it is no expression.
      std::string tokenText = t->getText();
      llvm::StringRef text = tokenText;
      llvm::StringRef lastLine = text.drop_back(3).rsplit('\n').second.rtrim();
      if (text.contains('\n') && !lastLine.empty() && llvm::StringRef("=([,:+{").contains(lastLine.back())) {
        llvm::SMRange r = st.range(t);
        llvm::SMLoc open = r.Start, close = llvm::SMLoc::getFromPointer(r.End.getPointer() - 3);
        st.report(DiagID::ErrUnterminatedString, {open, llvm::SMLoc::getFromPointer(open.getPointer() + 3)})
            .note(DiagID::NoteStringRunsTo, {close, r.End});
        return false;
      }
    }
    if (type == Lexer::ERROR_CHAR && s == "\"") {
      // `"""abc` with no later `"""` lexes as an empty string then a stray
      // quote: point at the opening quotes.
      llvm::SMRange r = st.range(t);
      if (prev && prev->getType() == Lexer::STRING && prev->getText() == "\"\"" &&
          prev->getStopIndex() + 1 == t->getStartIndex())
        r = {st.range(prev).Start, r.End};
      st.report(DiagID::ErrUnterminatedString, r);
      return false;
    }
    if (s == "*" && prev && prev->getText() == "/" && prev->getStopIndex() + 1 == t->getStartIndex()) {
      st.report(DiagID::ErrUnterminatedComment, {st.range(prev).Start, st.range(t).End});
      return false;
    }

    if (isKeyword(type) && prev &&
        (prev->getType() == type || (isDeclKeyword(prev->getType()) && next->getType() == Lexer::IDENT))) {
      // `tool tool x = ...`, `import import ...`: a keyword typed twice (or
      // a second one before the name). Hidden from the parser, the
      // statement reads as meant.
      st.report(DiagID::ErrUnexpectedToken, st.range(t)) << describeToken(t);
      static_cast<antlr4::WritableToken *>(t)->setChannel(antlr4::Token::HIDDEN_CHANNEL);
      toks.erase(toks.begin() + long(i));
      --i;
      continue;
    }
    if (isKeyword(type)) {
      std::string kw = t->getText();
      std::string what = namePosition(type, prev, next, brackets.empty() ? 0 : brackets.back(),
                                      !enumBraces.empty() && enumBraces.back());
      bool valueKeyword = type == Lexer::TRUE || type == Lexer::FALSE || type == Lexer::NONE || type == Lexer::MATCH;
      if (!what.empty()) {
        // Field, parameter and argument names recur (a literal names the
        // fields its record declares): one error per keyword is enough.
        bool declaration = prev && prev->getText() != "(" && prev->getText() != "," && prev->getText() != "{";
        if (st.keywordNames.insert(kw).second || declaration)
          st.report(DiagID::ErrKeywordAsName, st.range(t)) << kw << what;
        static_cast<antlr4::WritableToken *>(t)->setType(Lexer::IDENT);
        type = Lexer::IDENT;
      } else if (st.keywordNames.count(kw) && (!valueKeyword || next->getText() == ".") && readsName(prev, next)) {
        static_cast<antlr4::WritableToken *>(t)->setType(Lexer::IDENT);
        type = Lexer::IDENT;
      }
    }

    bool isPrefix = false;
    if (s == "(" || s == "[" || s == "{" || (s == "<" && prev && (prev->getText() == "list" ||
                                                                   prev->getText() == "optional"))) {
      ++depth;
      generics += s == "<";
      if (s != "<") {
        brackets.push_back(s[0]);
        enumBraces.push_back(s == "{" && i >= 2 && toks[i - 2]->getType() == Lexer::ENUM);
      }
    } else if (s == ")" || s == "]" || s == "}" || (s == ">" && generics)) {
      if (depth)
        --depth;
      generics -= s == ">";
      if (s != ">" && !brackets.empty()) {
        brackets.pop_back();
        enumBraces.pop_back();
      }
    } else if (s == "!" || s == "-" || s == "?" || s == "??") {
      isPrefix = true; // prefix operators and the optional-type suffix nest
    }
    prefixRun = isPrefix ? prefixRun + unsigned(s.size() == 2 ? 2 : 1) : 0;
    // Binary operators and member accesses build left-nested trees, so a
    // long chain in one statement is as deep as brackets.
    static const llvm::StringSet<> chainOps = {".", "+", "-", "*", "/", "%", "==", "!=", "<", "<=",
                                               ">", ">=", "&&", "||", "??", "["};
    if (s == ";" || s == "{" || s == "}" || s == ",")
      chain = 0;
    else if (chainOps.contains(s))
      ++chain;
    if (chain > maxNesting || depth + prefixRun > maxNesting) {
      st.report(DiagID::ErrNestingTooDeep, st.range(t)) << maxNesting;
      return false;
    }
  }
  return true;
}

} // namespace llmflow::parse
