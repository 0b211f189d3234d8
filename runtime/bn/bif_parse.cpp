// fromBIF(): reads the BIF interchange format (Hulten & Domingos' grammar as
// pgmpy and bnlearn accept it): `network`, `variable` blocks with `type
// discrete [ n ] { states };`, `probability ( child | parents )` blocks with
// `table`, `default` and `( parent states ) values;` entries, `property`
// lines, comments, quoted words; ',' and '|' separate like spaces. A
// `table` with parents lists the child's states slowest, parent
// configurations fastest (the JavaBayes / pgmpy reading). llmflow_*
// properties (see names.h) restore the original network exactly; foreign
// networks get structure-kind variables valued by state index and orders
// from a topological sort.
#include "bn/detail.h"
#include "bn/names.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

#include <charconv>
#include <cmath>

namespace llmflow::bn {

using detail::fail;

namespace {

struct Token {
  enum Kind { Word, Punct, End } kind = End;
  std::string text;
  unsigned line = 0, col = 0;
};

class Lexer {
public:
  explicit Lexer(llvm::StringRef text) : s(text) {}

  llvm::Expected<Token> next() {
    if (llvm::Error e = skip())
      return e;
    Token t;
    t.line = line;
    t.col = col;
    if (pos >= s.size())
      return t;
    char c = s[pos];
    if (llvm::StringRef("{}[]();").contains(c)) {
      t.kind = Token::Punct;
      t.text = std::string(1, c);
      advance();
      return t;
    }
    t.kind = Token::Word;
    if (c == '"') {
      advance();
      while (pos < s.size() && s[pos] != '"')
        t.text += s[pos], advance();
      if (pos >= s.size())
        return error(t.line, t.col, "unterminated quoted word");
      advance();
      return t;
    }
    while (pos < s.size() && !isSpace(s[pos]) && !llvm::StringRef("{}[]();,|\"").contains(s[pos]) &&
           !startsComment())
      t.text += s[pos], advance();
    return t;
  }

  /// The text after `property` up to the next ';' (consumed).
  llvm::Expected<std::string> restOfProperty(unsigned l, unsigned c) {
    std::string text;
    while (pos < s.size() && s[pos] != ';')
      text += s[pos], advance();
    if (pos >= s.size())
      return error(l, c, "property without a closing ';'");
    advance();
    return llvm::StringRef(text).trim().str();
  }

  static llvm::Error error(unsigned l, unsigned c, const llvm::Twine &msg) {
    return fail(BNErrorKind::BadFormat, "bif:" + llvm::Twine(l) + ":" + llvm::Twine(c) + ": " + msg);
  }

private:
  static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
  bool startsComment() const {
    return pos + 1 < s.size() && s[pos] == '/' && (s[pos + 1] == '/' || s[pos + 1] == '*');
  }
  void advance() {
    if (s[pos] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    ++pos;
  }
  llvm::Error skip() {
    while (pos < s.size()) {
      char c = s[pos];
      if (isSpace(c) || c == ',' || c == '|') {
        advance();
      } else if (startsComment() && s[pos + 1] == '/') {
        while (pos < s.size() && s[pos] != '\n')
          advance();
      } else if (startsComment()) {
        unsigned l = line, cc = col;
        advance();
        advance();
        while (pos + 1 < s.size() && !(s[pos] == '*' && s[pos + 1] == '/'))
          advance();
        if (pos + 1 >= s.size())
          return error(l, cc, "unterminated comment");
        advance();
        advance();
      } else {
        break;
      }
    }
    return llvm::Error::success();
  }

  llvm::StringRef s;
  size_t pos = 0;
  unsigned line = 1, col = 1;
};

using Props = llvm::StringMap<std::string>;

struct VarDecl {
  std::string id;
  std::vector<std::string> states;
  Props props;
  unsigned line = 0, col = 0;
};

struct ProbDecl {
  std::vector<std::string> ids;
  std::optional<std::vector<double>> table, fallback;
  std::vector<std::pair<std::vector<std::string>, std::vector<double>>> entries;
  unsigned line = 0, col = 0;
};

struct Parsed {
  std::string network;
  Props props;
  std::vector<VarDecl> vars;
  std::vector<ProbDecl> probs;
};

class Parser {
public:
  explicit Parser(llvm::StringRef text) : lex(text) {}

  llvm::Expected<Parsed> run() {
    Parsed p;
    if (llvm::Error e = advance())
      return e;
    if (!isWord("network"))
      return here("expected 'network' at the start of a BIF file");
    if (llvm::Error e = advance())
      return e;
    auto name = word("a network name");
    if (!name)
      return name.takeError();
    p.network = *name;
    if (llvm::Error e = block(p.props, nullptr))
      return e;
    while (tok.kind != Token::End) {
      if (isWord("variable")) {
        VarDecl v;
        v.line = tok.line;
        v.col = tok.col;
        if (llvm::Error e = advance())
          return e;
        auto id = word("a variable name");
        if (!id)
          return id.takeError();
        v.id = *id;
        if (llvm::Error e = block(v.props, &v.states))
          return e;
        p.vars.push_back(std::move(v));
      } else if (isWord("probability")) {
        ProbDecl d;
        d.line = tok.line;
        d.col = tok.col;
        if (llvm::Error e = advance())
          return e;
        if (llvm::Error e = punct('('))
          return e;
        while (tok.kind == Token::Word) {
          d.ids.push_back(tok.text);
          if (llvm::Error e = advance())
            return e;
        }
        if (d.ids.empty())
          return here("expected a variable name in the probability header");
        if (llvm::Error e = punct(')'))
          return e;
        if (llvm::Error e = probabilityBody(d))
          return e;
        p.probs.push_back(std::move(d));
      } else {
        return here("expected 'variable' or 'probability'");
      }
    }
    return p;
  }

private:
  llvm::Error advance() {
    auto t = lex.next();
    if (!t)
      return t.takeError();
    tok = std::move(*t);
    return llvm::Error::success();
  }
  bool isWord(llvm::StringRef w) const { return tok.kind == Token::Word && tok.text == w; }
  bool isPunct(char c) const { return tok.kind == Token::Punct && tok.text[0] == c; }
  std::string found() const { return tok.kind == Token::End ? "end of file" : "'" + tok.text + "'"; }
  llvm::Error here(const llvm::Twine &msg) const { return Lexer::error(tok.line, tok.col, msg + ", found " + found()); }
  llvm::Error punct(char c) {
    if (!isPunct(c))
      return here("expected '" + llvm::Twine(c) + "'");
    return advance();
  }
  llvm::Expected<std::string> word(const llvm::Twine &what) {
    if (tok.kind != Token::Word)
      return here("expected " + what);
    std::string w = tok.text;
    if (llvm::Error e = advance())
      return e;
    return w;
  }
  /// A `property` line into props (`key = value`, or the raw text as key).
  llvm::Error property(Props &props) {
    auto text = lex.restOfProperty(tok.line, tok.col);
    if (!text)
      return text.takeError();
    llvm::StringRef t(*text);
    auto [key, value] = t.split('=');
    props[key.trim()] = value.trim().str();
    return advance();
  }
  llvm::Expected<std::vector<double>> numbers() {
    std::vector<double> out;
    while (tok.kind == Token::Word) {
      double d = 0;
      const char *b = tok.text.data(), *e = b + tok.text.size();
      auto res = std::from_chars(b, e, d);
      if (res.ec != std::errc() || res.ptr != e || !std::isfinite(d))
        return here("expected a probability");
      out.push_back(d);
      if (llvm::Error err = advance())
        return err;
    }
    if (out.empty())
      return here("expected a probability");
    if (llvm::Error e = punct(';'))
      return e;
    return out;
  }
  /// `{ (property | type discrete [ n ] { states };)* }`; states only for variables.
  llvm::Error block(Props &props, std::vector<std::string> *states) {
    if (llvm::Error e = punct('{'))
      return e;
    while (!isPunct('}')) {
      if (isWord("property")) {
        if (llvm::Error e = property(props))
          return e;
      } else if (states && isWord("type")) {
        unsigned l = tok.line, c = tok.col;
        if (llvm::Error e = advance())
          return e;
        if (!isWord("discrete"))
          return here("only discrete variables are supported: expected 'discrete'");
        if (llvm::Error e = advance())
          return e;
        if (llvm::Error e = punct('['))
          return e;
        unsigned count = 0;
        if (tok.kind != Token::Word || !llvm::to_integer(tok.text, count, 10) || count == 0)
          return here("expected the number of states");
        if (llvm::Error e = advance())
          return e;
        if (llvm::Error e = punct(']'))
          return e;
        if (llvm::Error e = punct('{'))
          return e;
        while (tok.kind == Token::Word) {
          states->push_back(tok.text);
          if (llvm::Error e = advance())
            return e;
        }
        if (llvm::Error e = punct('}'))
          return e;
        if (llvm::Error e = punct(';'))
          return e;
        if (states->size() != count)
          return Lexer::error(l, c, "declares " + llvm::Twine(count) + " states but lists " +
                                        llvm::Twine(states->size()));
      } else {
        return here(states ? "expected 'type' or 'property' in a variable block" : "expected 'property'");
      }
    }
    return advance();
  }
  llvm::Error probabilityBody(ProbDecl &d) {
    if (llvm::Error e = punct('{'))
      return e;
    Props ignored;
    while (!isPunct('}')) {
      if (isWord("property")) {
        if (llvm::Error e = property(ignored))
          return e;
      } else if (isWord("table") || isWord("default")) {
        bool table = tok.text == "table";
        if (llvm::Error e = advance())
          return e;
        auto xs = numbers();
        if (!xs)
          return xs.takeError();
        (table ? d.table : d.fallback) = std::move(*xs);
      } else if (isPunct('(')) {
        if (llvm::Error e = advance())
          return e;
        std::vector<std::string> states;
        while (tok.kind == Token::Word) {
          states.push_back(tok.text);
          if (llvm::Error e = advance())
            return e;
        }
        if (llvm::Error e = punct(')'))
          return e;
        auto xs = numbers();
        if (!xs)
          return xs.takeError();
        d.entries.emplace_back(std::move(states), std::move(*xs));
      } else {
        return here("expected 'table', 'default', '(' or 'property' in a probability block");
      }
    }
    return advance();
  }

  Lexer lex;
  Token tok;
};

llvm::Error at(unsigned line, unsigned col, const llvm::Twine &msg) { return Lexer::error(line, col, msg); }

/// CPT of one probability block, in Network layout.
llvm::Error fillCPT(const ProbDecl &d, const std::vector<unsigned> &family, const std::vector<VarDecl> &vars,
                    std::vector<double> &cpt) {
  unsigned child = family[0];
  unsigned r = static_cast<unsigned>(vars[child].states.size());
  size_t q = 1;
  for (size_t i = 1; i < family.size(); ++i)
    q *= vars[family[i]].states.size();
  cpt.assign(q * r, 0.0);
  std::vector<char> filled(q, 0);
  const std::string &name = vars[child].id;
  if (d.table) {
    if (d.table->size() != q * r)
      return at(d.line, d.col, "table of '" + name + "' has " + llvm::Twine(d.table->size()) +
                                   " values, expected " + llvm::Twine(q * r));
    for (size_t c = 0; c < q; ++c)
      for (unsigned s = 0; s < r; ++s)
        cpt[c * r + s] = (*d.table)[s * q + c];     // child slowest
    filled.assign(q, 1);
  }
  for (const auto &[states, probs] : d.entries) {
    if (states.size() != family.size() - 1)
      return at(d.line, d.col, "an entry of '" + name + "' names " + llvm::Twine(states.size()) +
                                   " parent states, expected " + llvm::Twine(family.size() - 1));
    if (probs.size() != r)
      return at(d.line, d.col, "an entry of '" + name + "' has " + llvm::Twine(probs.size()) +
                                   " values, expected " + llvm::Twine(r));
    size_t config = 0;
    for (size_t i = 0; i < states.size(); ++i) {
      const auto &pstates = vars[family[i + 1]].states;
      auto it = std::find(pstates.begin(), pstates.end(), states[i]);
      if (it == pstates.end())
        return at(d.line, d.col, "'" + states[i] + "' is not a state of '" + vars[family[i + 1]].id + "'");
      config = config * pstates.size() + (it - pstates.begin());
    }
    std::copy(probs.begin(), probs.end(), cpt.begin() + config * r);
    filled[config] = 1;
  }
  if (d.fallback) {
    if (d.fallback->size() != r)
      return at(d.line, d.col, "default of '" + name + "' has " + llvm::Twine(d.fallback->size()) +
                                   " values, expected " + llvm::Twine(r));
    for (size_t c = 0; c < q; ++c)
      if (!filled[c]) {
        std::copy(d.fallback->begin(), d.fallback->end(), cpt.begin() + c * r);
        filled[c] = 1;
      }
  }
  for (size_t c = 0; c < q; ++c)
    if (!filled[c])
      return at(d.line, d.col, "probability of '" + name + "' leaves parent configuration " + llvm::Twine(c) +
                                   " undefined");
  // Rows a little off 1 (rounded files) are renormalised; verify() rejects the rest.
  for (size_t c = 0; c < q; ++c) {
    double sum = 0;
    for (unsigned s = 0; s < r; ++s)
      sum += cpt[c * r + s];
    if (std::fabs(sum - 1) > 1e-12 && std::fabs(sum - 1) <= 1e-3)
      for (unsigned s = 0; s < r; ++s)
        cpt[c * r + s] /= sum;
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<double>> numberList(llvm::StringRef text, llvm::StringRef what) {
  llvm::SmallVector<llvm::StringRef, 16> parts;
  text.split(parts, ' ', -1, false);
  std::vector<double> out;
  for (llvm::StringRef p : parts) {
    double d = 0;
    auto res = std::from_chars(p.begin(), p.end(), d);
    if (res.ec != std::errc() || res.ptr != p.end())
      return fail(BNErrorKind::BadFormat, "property " + what + ": '" + p + "' is not a number");
    out.push_back(d);
  }
  return out;
}

template <typename T> llvm::Expected<T> integerProp(llvm::StringRef text, llvm::StringRef what) {
  T x{};
  if (!llvm::to_integer(text, x, 10))
    return fail(BNErrorKind::BadFormat, "property " + what + ": '" + text + "' is not an integer");
  return x;
}

#define BN_TRY(dest, expr)                                                                                             \
  do {                                                                                                                 \
    auto tmp_ = (expr);                                                                                                \
    if (!tmp_)                                                                                                         \
      return tmp_.takeError();                                                                                         \
    dest = std::move(*tmp_);                                                                                           \
  } while (0)

llvm::Error applyNetworkProps(const Props &p, Network &n) {
  auto get = [&](llvm::StringRef k) -> const std::string * {
    auto it = p.find(k);
    return it == p.end() ? nullptr : &it->second;
  };
  if (const std::string *v = get("llmflow_bn"); v && *v != "1")
    return fail(BNErrorKind::BadFormat, "unsupported llmflow_bn version '" + *v + "'");
  if (const std::string *v = get("llmflow_app"))
    BN_TRY(n.app, detail::decodeProperty(*v));
  if (const std::string *v = get("llmflow_ir_version"))
    BN_TRY(n.irVersion, integerProp<int>(*v, "llmflow_ir_version"));
  if (const std::string *v = get("llmflow_train_rows"))
    BN_TRY(n.trainRows, integerProp<unsigned>(*v, "llmflow_train_rows"));
  if (const std::string *v = get("llmflow_bins"))
    BN_TRY(n.bins, integerProp<unsigned>(*v, "llmflow_bins"));
  if (const std::string *v = get("llmflow_max_parents"))
    BN_TRY(n.maxParents, integerProp<unsigned>(*v, "llmflow_max_parents"));
  if (const std::string *v = get("llmflow_smoothing")) {
    std::vector<double> xs;
    BN_TRY(xs, numberList(*v, "llmflow_smoothing"));
    if (xs.size() != 1)
      return fail(BNErrorKind::BadFormat, "property llmflow_smoothing: expected one number");
    n.smoothing = xs[0];
  }
  if (const std::string *v = get("llmflow_search"))
    BN_TRY(n.search, detail::decodeProperty(*v));
  return llvm::Error::success();
}

/// Restores a variable from its llmflow_* properties; false if it has none.
llvm::Expected<bool> applyVariableProps(const VarDecl &d, Variable &v) {
  const Props &p = d.props;
  if (!p.count("llmflow_name"))
    return false;
  auto need = [&](llvm::StringRef k) -> llvm::Expected<std::string> {
    auto it = p.find(k);
    if (it == p.end())
      return fail(BNErrorKind::BadFormat, "variable '" + d.id + "' lacks property " + k);
    return it->second;
  };
  std::string text;
  BN_TRY(text, need("llmflow_name"));
  BN_TRY(v.name, detail::decodeProperty(text));
  BN_TRY(text, need("llmflow_node"));
  BN_TRY(v.node, detail::decodeProperty(text));
  BN_TRY(text, need("llmflow_kind"));
  if (text == "duration")
    v.kind = Variable::Kind::Duration;
  else if (text == "structure")
    v.kind = Variable::Kind::Structure;
  else
    return fail(BNErrorKind::BadFormat, "variable '" + d.id + "': unknown llmflow_kind '" + text + "'");
  BN_TRY(text, need("llmflow_order"));
  BN_TRY(v.order, integerProp<unsigned>(text, "llmflow_order"));
  BN_TRY(text, need("llmflow_has_absent"));
  if (text != "true" && text != "false")
    return fail(BNErrorKind::BadFormat, "variable '" + d.id + "': llmflow_has_absent must be true or false");
  v.hasAbsent = text == "true";
  BN_TRY(text, need("llmflow_states"));
  llvm::SmallVector<llvm::StringRef, 16> parts;
  llvm::StringRef(text).split(parts, ' ', -1, false);
  if (parts.size() != d.states.size())
    return fail(BNErrorKind::BadFormat, "variable '" + d.id + "': llmflow_states lists " +
                                            llvm::Twine(parts.size()) + " labels for " +
                                            llvm::Twine(d.states.size()) + " states");
  v.states.clear();
  for (llvm::StringRef s : parts) {
    std::string label;
    BN_TRY(label, detail::decodeProperty(s));
    v.states.push_back(std::move(label));
  }
  for (auto [key, dest] : {std::pair{"llmflow_edges", &v.edges}, std::pair{"llmflow_value", &v.value},
                           std::pair{"llmflow_lo", &v.lo}, std::pair{"llmflow_hi", &v.hi}}) {
    BN_TRY(text, need(key));
    BN_TRY(*dest, numberList(text, key));
  }
  for (auto [key, dest] : {std::pair{"llmflow_min", &v.min}, std::pair{"llmflow_max", &v.max}}) {
    BN_TRY(text, need(key));
    std::vector<double> xs;
    BN_TRY(xs, numberList(text, key));
    if (xs.size() != 1)
      return fail(BNErrorKind::BadFormat, "variable '" + d.id + "': " + key + " expects one number");
    *dest = xs[0];
  }
  return true;
}

} // namespace

llvm::Expected<Network> fromBIF(llvm::StringRef text) {
  // Names and states become JSON strings (toJSON, the model file), which
  // must be UTF-8.
  size_t badAt = 0;
  if (!llvm::json::isUTF8(text, &badAt))
    return fail(BNErrorKind::BadFormat, "bif: byte " + llvm::Twine(badAt) + ": the text is not UTF-8");
  auto parsed = Parser(text).run();
  if (!parsed)
    return parsed.takeError();
  const Parsed &p = *parsed;
  llvm::StringMap<unsigned> index;
  for (unsigned i = 0; i < p.vars.size(); ++i)
    if (!index.try_emplace(p.vars[i].id, i).second)
      return at(p.vars[i].line, p.vars[i].col, "variable '" + p.vars[i].id + "' is declared twice");
  for (const VarDecl &v : p.vars)
    if (v.states.empty())
      return at(v.line, v.col, "variable '" + v.id + "' has no 'type discrete' declaration");
  Network n;
  n.app = p.network;
  n.search = "imported";
  n.trainRows = 0;
  n.parents.resize(p.vars.size());
  n.cpt.resize(p.vars.size());
  std::vector<char> defined(p.vars.size(), 0);
  for (const ProbDecl &d : p.probs) {
    std::vector<unsigned> family;
    for (const std::string &id : d.ids) {
      auto it = index.find(id);
      if (it == index.end())
        return at(d.line, d.col, "probability of undeclared variable '" + id + "'");
      family.push_back(it->second);
    }
    unsigned child = family[0];
    if (defined[child])
      return at(d.line, d.col, "second probability block for '" + d.ids[0] + "'");
    defined[child] = 1;
    n.parents[child].assign(family.begin() + 1, family.end());
    if (llvm::Error e = fillCPT(d, family, p.vars, n.cpt[child]))
      return e;
  }
  for (unsigned v = 0; v < p.vars.size(); ++v)
    if (!defined[v])
      return at(p.vars[v].line, p.vars[v].col, "variable '" + p.vars[v].id + "' has no probability block");
  if (llvm::Error e = applyNetworkProps(p.props, n))
    return e;
  // Topological positions: the order of foreign variables.
  std::vector<unsigned> topo(p.vars.size(), 0);
  {
    std::vector<unsigned> indegree(p.vars.size(), 0), ready;
    std::vector<std::vector<unsigned>> children(p.vars.size());
    for (unsigned v = 0; v < p.vars.size(); ++v)
      for (unsigned q : n.parents[v]) {
        children[q].push_back(v);
        ++indegree[v];
      }
    for (unsigned v = p.vars.size(); v-- > 0;)
      if (!indegree[v])
        ready.push_back(v);
    unsigned next = 0;
    while (!ready.empty()) {
      unsigned u = ready.back();
      ready.pop_back();
      topo[u] = next++;
      for (unsigned c : children[u])
        if (!--indegree[c])
          ready.push_back(c);
    }
  }
  for (unsigned i = 0; i < p.vars.size(); ++i) {
    const VarDecl &d = p.vars[i];
    Variable v;
    v.states = d.states;
    auto restored = applyVariableProps(d, v);
    if (!restored)
      return restored.takeError();
    if (!*restored) {
      v.name = v.node = d.id;
      v.kind = Variable::Kind::Structure;
      v.order = topo[i];
      for (unsigned s = 0; s < d.states.size(); ++s) {
        v.edges.push_back(s);
        v.value.push_back(s);
        v.lo.push_back(s);
        v.hi.push_back(s);
      }
      v.max = d.states.size() - 1;
    }
    n.vars.push_back(std::move(v));
  }
  if (llvm::Error e = verify(n))
    return e;
  return n;
}

} // namespace llmflow::bn
