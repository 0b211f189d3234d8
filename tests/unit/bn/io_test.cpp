// Serialisation: JSON round trip and strictness; BIF round trip (with
// awkward names), the layout pgmpy / bnlearn parse, the hand-written
// data/asia.bif, reader errors; XMLBIF well-formedness and content checked
// by a tiny XML reader; DOT for a tiny network.
#include "bn_test_util.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <doctest/doctest.h>

#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>

using namespace llmflow::bn;
using namespace bntest;

namespace {

void checkSame(const Network &a, const Network &b, double tol) {
  CHECK(a.app == b.app);
  CHECK(a.irVersion == b.irVersion);
  CHECK(a.trainRows == b.trainRows);
  CHECK(a.bins == b.bins);
  CHECK(a.maxParents == b.maxParents);
  CHECK(a.smoothing == b.smoothing);
  CHECK(a.search == b.search);
  REQUIRE(a.vars.size() == b.vars.size());
  auto near = [&](const std::vector<double> &x, const std::vector<double> &y) {
    REQUIRE(x.size() == y.size());
    for (size_t i = 0; i < x.size(); ++i)
      CHECK(std::abs(x[i] - y[i]) <= tol);
  };
  for (size_t v = 0; v < a.vars.size(); ++v) {
    const Variable &x = a.vars[v], &y = b.vars[v];
    CAPTURE(x.name);
    CHECK(x.name == y.name);
    CHECK(x.node == y.node);
    CHECK(x.kind == y.kind);
    CHECK(x.states == y.states);
    CHECK(x.hasAbsent == y.hasAbsent);
    CHECK(x.order == y.order);
    near(x.edges, y.edges);
    near(x.value, y.value);
    near(x.lo, y.lo);
    near(x.hi, y.hi);
    CHECK(std::abs(x.min - y.min) <= tol);
    CHECK(std::abs(x.max - y.max) <= tol);
    CHECK(a.parents[v] == b.parents[v]);
    near(a.cpt[v], b.cpt[v]);
  }
}

/// A trained network with durations (one sometimes absent) and a structure
/// variable, under names that are not identifiers.
Network trained() {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> z(0, 1);
  Dataset d;
  d.columns = {"plan", "plan#structure", "step 2/a", "variable_probability", "9lives"};
  for (int r = 0; r < 400; ++r) {
    double a = z(rng);
    std::optional<double> c;
    if (r % 3)
      c = std::exp(a + 0.3 * z(rng));
    d.rows.push_back({std::exp(a), std::floor(std::abs(a) * 3), std::exp(0.8 * a + 0.5 * z(rng)), c,
                      std::exp(z(rng))});
  }
  std::vector<VariableSpec> specs;
  for (unsigned i = 0; i < d.columns.size(); ++i) {
    VariableSpec s;
    s.name = d.columns[i];
    s.node = d.columns[i].substr(0, d.columns[i].find('#'));
    s.kind = i == 1 ? Variable::Kind::Structure : Variable::Kind::Duration;
    s.order = i;
    specs.push_back(s);
  }
  TrainOptions o;
  o.structureCap = 4;
  auto n = train(d, specs, o);
  REQUIRE(n);
  n->app = "my app: \"quoted\" {braces}; 100% variable";
  n->irVersion = 3;
  return std::move(*n);
}

std::string print(const llvm::json::Value &v) {
  std::string s;
  llvm::raw_string_ostream(s) << v;
  return s;
}

std::string jsonError(llvm::json::Value v) { return errorOf(fromJSON(v)); }

// A tiny XML reader: elements, attributes, text; skips the prolog, comments
// and the DOCTYPE. Returns an error string for malformed input.
struct Xml {
  std::string tag, text;
  std::map<std::string, std::string> attrs;
  std::vector<Xml> kids;
  std::vector<const Xml *> all(const std::string &t) const {
    std::vector<const Xml *> out;
    for (const Xml &k : kids)
      if (k.tag == t)
        out.push_back(&k);
    return out;
  }
};

struct XmlReader {
  explicit XmlReader(const std::string &text) : s(text) {}
  const std::string &s;
  size_t pos = 0;
  std::string error;

  void skipMisc() {
    for (;;) {
      while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
        ++pos;
      if (s.compare(pos, 2, "<?") == 0)
        pos = s.find("?>", pos) + 2;
      else if (s.compare(pos, 4, "<!--") == 0)
        pos = s.find("-->", pos) + 3;
      else if (s.compare(pos, 9, "<!DOCTYPE") == 0)
        pos = s.find("]>", pos) + 2;
      else
        return;
    }
  }
  std::string decode(const std::string &t) {
    std::string out;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] != '&') {
        out += t[i];
        continue;
      }
      size_t e = t.find(';', i);
      std::string ent = t.substr(i, e - i + 1);
      out += ent == "&amp;" ? "&" : ent == "&lt;" ? "<" : ent == "&gt;" ? ">" : "?";
      i = e;
    }
    return out;
  }
  bool element(Xml &x) {
    if (pos >= s.size() || s[pos] != '<')
      return fail("expected '<'");
    size_t close = s.find('>', pos);
    std::string head = s.substr(pos + 1, close - pos - 1);
    pos = close + 1;
    std::smatch m;
    std::regex tagRe(R"(^([A-Za-z]+)((\s+[A-Za-z]+="[^"]*")*)\s*$)");
    if (!std::regex_match(head, m, tagRe))
      return fail("bad tag <" + head + ">");
    x.tag = m[1];
    std::string attrs = m[2];
    std::regex attrRe(R"(([A-Za-z]+)="([^"]*)\")");
    for (auto it = std::sregex_iterator(attrs.begin(), attrs.end(), attrRe); it != std::sregex_iterator(); ++it)
      x.attrs[(*it)[1]] = (*it)[2];
    for (;;) {
      size_t lt = s.find('<', pos);
      if (lt == std::string::npos)
        return fail("unclosed <" + x.tag + ">");
      x.text += decode(s.substr(pos, lt - pos));
      pos = lt;
      if (s.compare(pos, 4, "<!--") == 0) {
        pos = s.find("-->", pos) + 3;
        continue;
      }
      if (s.compare(pos, 2, "</") == 0) {
        size_t end = s.find('>', pos);
        if (s.substr(pos + 2, end - pos - 2) != x.tag)
          return fail("</" + s.substr(pos + 2, end - pos - 2) + "> closes <" + x.tag + ">");
        pos = end + 1;
        return true;
      }
      x.kids.emplace_back();
      if (!element(x.kids.back()))
        return false;
    }
  }
  bool fail(const std::string &msg) {
    error = msg;
    return false;
  }
};

std::vector<double> numbersIn(const std::string &text) {
  std::vector<double> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w)
    out.push_back(std::strtod(w.c_str(), nullptr));
  return out;
}

} // namespace

TEST_CASE("JSON round trip is exact") {
  Network n = trained();
  std::string text = print(toJSON(n));
  CHECK(text.find("\"llmflow_bn\":1") != std::string::npos);
  auto parsed = llvm::json::parse(text);
  REQUIRE(bool(parsed));
  auto back = fromJSON(*parsed);
  REQUIRE(back);
  checkSame(n, *back, 0);
  CHECK(print(toJSON(*back)) == text);                // deterministic
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    std::mt19937_64 rng(seed);
    Network r = randomNetwork(rng, 6, 4, 3, 0.2);
    auto rb = fromJSON(*llvm::json::parse(print(toJSON(r))));
    REQUIRE(rb);
    checkSame(r, *rb, 0);
  }
}

TEST_CASE("JSON reader is strict") {
  Network n = makeNetwork({2, 2}, {{}, {0}}, {{0.5, 0.5}, {0.9, 0.1, 0.2, 0.8}});
  llvm::json::Value good = toJSON(n);
  REQUIRE(fromJSON(good));
  auto edit = [&](auto &&fn) {
    llvm::json::Value v = *llvm::json::parse(print(good));
    fn(*v.getAsObject());
    return jsonError(std::move(v));
  };
  auto var = [](llvm::json::Object &o, size_t i) -> llvm::json::Object & {
    return *(*o.getArray("variables"))[i].getAsObject();
  };
  CHECK(edit([](llvm::json::Object &o) { o["llmflow_bn"] = 2; }) ==
        "network: unsupported llmflow_bn version (expected 1)");
  CHECK(edit([](llvm::json::Object &o) { o.erase("llmflow_bn"); }) ==
        "network: missing 'llmflow_bn' (not an llmflow Bayesian network)");
  CHECK(edit([](llvm::json::Object &o) { o["extra"] = 1; }) == "network: unknown key 'extra'");
  CHECK(edit([](llvm::json::Object &o) { o.erase("app"); }) == "network: missing 'app'");
  CHECK(edit([&](llvm::json::Object &o) { var(o, 1)["colour"] = "red"; }) ==
        "network.variables[1]: unknown key 'colour'");
  CHECK(edit([&](llvm::json::Object &o) { var(o, 0)["kind"] = "latent"; }) ==
        "network.variables[0].kind: expected 'duration' or 'structure', got 'latent'");
  CHECK(edit([&](llvm::json::Object &o) { var(o, 0)["order"] = -1; }) ==
        "network.variables[0].order: expected a non-negative integer");
  CHECK(edit([&](llvm::json::Object &o) { var(o, 1)["parents"] = llvm::json::Array{"nope"}; }) ==
        "network.variables[1]: unknown parent 'nope'");
  CHECK(edit([&](llvm::json::Object &o) { var(o, 1)["cpt"] = llvm::json::Array{0.9, 0.1}; }) ==
        "variable 'v1': CPT has 2 entries, expected 4");
  CHECK(edit([&](llvm::json::Object &o) { var(o, 1)["cpt"] = llvm::json::Array{0.9, 0.2, 0.2, 0.8}; }) ==
        "variable 'v1': distribution 0 sums to 1.1, not 1");
  CHECK(edit([&](llvm::json::Object &o) {
          var(o, 0)["parents"] = llvm::json::Array{"v1"};
          var(o, 0)["cpt"] = llvm::json::Array{0.5, 0.5, 0.5, 0.5};
        }) == "the network's edges form a cycle");
  CHECK(edit([&](llvm::json::Object &o) { var(o, 0)["cpt"] = llvm::json::Array{"a", 1}; }) ==
        "network.variables[0].cpt[0]: expected a number");
  CHECK(jsonError(llvm::json::Array{}) == "network: expected a JSON object");
}

TEST_CASE("BIF round trip restores the network") {
  Network n = trained();
  std::string bif = toBIF(n);
  auto back = fromBIF(bif);
  REQUIRE(back);
  checkSame(n, *back, 1e-12);
  CHECK(toBIF(*back) == bif);
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    Network r = randomNetwork(rng, 2 + seed % 7, 4, 3, 0.2);
    r.vars[0].name = "variable";                      // a BIF keyword
    r.vars[0].states[0] = "probability of 1";
    auto rb = fromBIF(toBIF(r));
    REQUIRE(rb);
    checkSame(r, *rb, 1e-12);
  }
}

TEST_CASE("BIF text has the layout pgmpy and bnlearn parse") {
  Network n = trained();
  std::string bif = toBIF(n);
  std::istringstream in(bif);
  std::string line;
  std::regex ident("[A-Za-z][A-Za-z0-9_]*");
  std::regex varLine(R"(^variable ([A-Za-z][A-Za-z0-9_]*) \{$)");
  std::regex typeLine(R"(^    type discrete \[ (\d+) \] \{ ([A-Za-z0-9_, ]+) \};$)");
  std::regex probLine(R"(^probability \( ([A-Za-z][A-Za-z0-9_]*)( \| [A-Za-z0-9_, ]+)? \) \{$)");
  std::regex entryLine(R"(^    (table|\( [A-Za-z0-9_, ]+ \)) [0-9.e+-]+(, [0-9.e+-]+)* ?;$)");
  std::regex propLine(R"(^    property [a-z_]+ = [^;{}"=]* ;$)");
  int variables = 0, probabilities = 0;
  while (std::getline(in, line)) {
    if (line.rfind("//", 0) == 0)
      continue;
    // pgmpy splits the file at every "variable" / "probability": only at
    // the start of declarations.
    size_t at = line.find("variable");
    CHECK((at == std::string::npos || (at == 0 && std::regex_match(line, varLine))));
    at = line.find("probability");
    CHECK((at == std::string::npos || (at == 0 && std::regex_match(line, probLine))));
    variables += std::regex_match(line, varLine);
    probabilities += std::regex_match(line, probLine);
    bool known = std::regex_match(line, varLine) || std::regex_match(line, typeLine) ||
                 std::regex_match(line, probLine) || std::regex_match(line, entryLine) ||
                 std::regex_match(line, propLine) || line == "}" || line.rfind("network ", 0) == 0;
    CHECK_MESSAGE(known, line);
  }
  CHECK(variables == 5);
  CHECK(probabilities == 5);
  CHECK(bif.find("network my_app_quoted_braces_100_v_ariable {") != std::string::npos);
  CHECK(bif.find("variable plan_structure {") != std::string::npos);
  CHECK(bif.find("variable v_9lives {") != std::string::npos);
  CHECK(bif.find("variable v_ariable_p_robability {") != std::string::npos);
  // Original names travel percent-encoded.
  CHECK(bif.find("property llmflow_name = step%202%2Fa ;") != std::string::npos);
}

TEST_CASE("the hand-written asia.bif loads with the right numbers") {
  auto buf = llvm::MemoryBuffer::getFile(LLMFLOW_SOURCE_DIR "/tests/unit/bn/data/asia.bif");
  REQUIRE(bool(buf));
  auto n = fromBIF((*buf)->getBuffer());
  REQUIRE(n);
  REQUIRE(n->vars.size() == 8);
  CHECK(n->app == "asia");
  CHECK(n->search == "imported");
  auto idx = [&](const char *name) { return *n->find(name); };
  CHECK(n->vars[idx("either")].states == std::vector<std::string>{"yes", "no"});
  CHECK(n->parents[idx("either")] == std::vector<unsigned>{idx("lung"), idx("tub")});
  // either | lung, tub: default (1, 0) except (no, no) = (0, 1).
  CHECK(n->cpt[idx("either")] == std::vector<double>{1, 0, 1, 0, 1, 0, 0, 1});
  // xray's table lists the child's states slowest: P(yes|yes)=.98, P(yes|no)=.05.
  CHECK(n->cpt[idx("xray")] == std::vector<double>{0.98, 0.02, 0.05, 0.95});
  CHECK(n->cpt[idx("dysp")] == std::vector<double>{0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.1, 0.9});
  // Foreign variables: structure kind valued by index, topological orders.
  for (unsigned v = 0; v < 8; ++v)
    for (unsigned p : n->parents[v])
      CHECK(n->vars[p].order < n->vars[v].order);
  Inference inf(*n);
  auto yes = [&](const char *name) { return inf.posterior(idx(name))[0]; };
  // P(lung) = .5*.1 + .5*.01 = .055;  P(tub) = .01*.05 + .99*.01 = .0104
  CHECK(std::abs(yes("lung") - 0.055) < 1e-12);
  CHECK(std::abs(yes("tub") - 0.0104) < 1e-12);
  // Tub and lung are independent a priori: P(either) = 1 - .945 * .9896 = .064828
  CHECK(std::abs(yes("either") - 0.064828) < 1e-12);
  // P(xray) = .064828 * .98 + .935172 * .05 = .11029004
  CHECK(std::abs(yes("xray") - 0.11029004) < 1e-12);
  // Given smoke, bronc and either are independent: P(either|smoke) = .10936 /
  // .020296; P(dysp | smoke) = .552808 / .3191332; P(dysp) = .4359706
  CHECK(std::abs(yes("dysp") - 0.4359706) < 1e-12);
  inf.observe(idx("xray"), 0);
  // P(lung | xray) = .98 * .055 / .11029004 (xray depends on lung only via either = yes)
  CHECK(std::abs(yes("lung") - 0.98 * 0.055 / 0.11029004) < 1e-12);
  CHECK(std::abs(yes("tub") - 0.98 * 0.0104 / 0.11029004) < 1e-12);
  inf.observe(idx("dysp"), 0);
  // Enumerating the 256 joint states: P(lung | xray, dysp) = 0.6212527966776287
  CHECK(std::abs(yes("lung") - 0.6212527966776287) < 1e-12);
}

TEST_CASE("BIF reader errors name the line") {
  CHECK(errorOf(fromBIF("variable a { type discrete [ 2 ] { x, y }; }")) ==
        "bif:1:1: expected 'network' at the start of a BIF file, found 'variable'");
  std::string base = "network n {\n}\nvariable a {\n  type discrete [ 2 ] { x, y };\n}\n";
  CHECK(errorOf(fromBIF(base)) == "bif:3:1: variable 'a' has no probability block");
  CHECK(errorOf(fromBIF(base + "probability ( a ) {\n  table 0.5 0.4 0.1;\n}\n")) ==
        "bif:6:1: table of 'a' has 3 values, expected 2");
  CHECK(errorOf(fromBIF(base + "probability ( a | b ) {\n  table 0.5 0.5;\n}\n")) ==
        "bif:6:1: probability of undeclared variable 'b'");
  CHECK(errorOf(fromBIF(base + "probability ( a ) {\n  table 0.5 zero;\n}\n")) ==
        "bif:7:13: expected a probability, found 'zero'");
  CHECK(errorOf(fromBIF(base + "probability ( a ) {\n  table 0.7 0.7;\n}\n")) ==
        "variable 'a': distribution 0 sums to 1.4, not 1");
  CHECK(errorOf(fromBIF("network n {\n}\nvariable a {\n  type discrete [ 3 ] { x, y };\n}\n")) ==
        "bif:4:3: declares 3 states but lists 2");
  CHECK(errorOf(fromBIF("network n { /* never closed")) == "bif:1:13: unterminated comment");
  // Names end up in JSON strings, which must be UTF-8 (found by tools/fuzz.sh).
  CHECK(errorOf(fromBIF("network n {\n}\nvariable \xff {\n")) == "bif: byte 23: the text is not UTF-8");
  CHECK(errorOf(fromBIF(base + "variable b {\n  type discrete [ 2 ] { x, y };\n}\n"
                               "probability ( a ) {\n  table 0.5 0.5;\n}\n"
                               "probability ( b | a ) {\n  (x) 0.5, 0.5;\n}\n")) ==
        "bif:12:1: probability of 'b' leaves parent configuration 1 undefined");
}

TEST_CASE("XMLBIF is well-formed XMLBIF 0.3 with the network's tables") {
  Network n = trained();
  std::string xml = toXMLBIF(n);
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0) == 0);
  CHECK(xml.find("<!DOCTYPE BIF [") != std::string::npos);
  XmlReader r(xml);
  r.skipMisc();
  Xml root;
  REQUIRE_MESSAGE(r.element(root), r.error);
  r.skipMisc();
  CHECK(r.pos == xml.size());
  CHECK(root.tag == "BIF");
  CHECK(root.attrs["VERSION"] == "0.3");
  REQUIRE(root.kids.size() == 1);
  const Xml &net = root.kids[0];
  CHECK(net.tag == "NETWORK");
  REQUIRE(net.all("NAME").size() == 1);
  auto vars = net.all("VARIABLE");
  auto defs = net.all("DEFINITION");
  REQUIRE(vars.size() == n.vars.size());
  REQUIRE(defs.size() == n.vars.size());
  std::vector<std::string> ids;
  for (size_t v = 0; v < vars.size(); ++v) {
    CHECK(vars[v]->attrs.at("TYPE") == "nature");
    ids.push_back(vars[v]->all("NAME")[0]->text);
    CHECK(std::regex_match(ids.back(), std::regex("[A-Za-z][A-Za-z0-9_]*")));
    CHECK(vars[v]->all("OUTCOME").size() == n.vars[v].card());
    for (const Xml *p : vars[v]->all("PROPERTY"))
      CHECK(std::count(p->text.begin(), p->text.end(), '=') == 1);   // pgmpy splits at '='
  }
  for (size_t v = 0; v < defs.size(); ++v) {
    CHECK(defs[v]->all("FOR")[0]->text == ids[v]);
    auto given = defs[v]->all("GIVEN");
    REQUIRE(given.size() == n.parents[v].size());
    for (size_t i = 0; i < given.size(); ++i)
      CHECK(given[i]->text == ids[n.parents[v][i]]);
    CHECK(numbersIn(defs[v]->all("TABLE")[0]->text) == n.cpt[v]);
  }
  // A tampered document is caught by the reader (the check can fail).
  std::string broken = xml;
  broken.replace(broken.find("</OUTCOME>"), 10, "</OUTCOMES>");
  XmlReader bad(broken);
  bad.skipMisc();
  Xml ignored;
  CHECK(!bad.element(ignored));
}

TEST_CASE("DOT for a tiny network") {
  Network n = makeNetwork({2, 3}, {{}, {0}}, {{0.5, 0.5}, {0.2, 0.3, 0.5, 0.1, 0.1, 0.8}});
  n.vars[1].name = "say \"hi\"";
  n.vars[0].kind = Variable::Kind::Duration;
  CHECK(toDOT(n) == "digraph \"test\" {\n"
                    "  rankdir=LR;\n"
                    "  graph [fontname=\"Helvetica\"];\n"
                    "  node [shape=box, fontname=\"Helvetica\"];\n"
                    "  \"v0\" [label=\"v0\\nduration, 2 states\"];\n"
                    "  \"say \\\"hi\\\"\" [label=\"say \\\"hi\\\"\\nstructure, 3 states\"];\n"
                    "  \"v0\" -> \"say \\\"hi\\\"\";\n"
                    "}\n");
}

TEST_CASE("DOT leaves out one-state variables (never observed) and their edges") {
  Network n = makeNetwork({2, 1, 2}, {{}, {0}, {0}}, {{0.5, 0.5}, {1, 1}, {0.2, 0.8, 0.6, 0.4}});
  n.vars[1].name = "onestate";
  std::string dot = toDOT(n);
  CHECK(dot.find("onestate") == std::string::npos);
  CHECK(dot.find("1 variable(s) with a single state") != std::string::npos);
  CHECK(dot.find("\"v0\" -> \"v2\"") != std::string::npos);
}
