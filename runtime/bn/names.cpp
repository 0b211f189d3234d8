// Identifier sanitising and property encoding for the interchange formats.
#include "bn/names.h"

#include "bn/detail.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace llmflow::bn::detail {

namespace {

/// pgmpy splits BIF text at these words wherever they occur.
constexpr const char *kSplitWords[] = {"variable", "probability"};
constexpr const char *kKeywords[] = {"network", "variable", "probability", "property",
                                     "type",    "discrete", "default",     "table"};

bool rawPropertyChar(char c) { return llvm::isAlnum(c) || c == '_' || c == '.' || c == '+' || c == '-'; }

std::string joinNumbers(const std::vector<double> &xs) {
  std::string out;
  for (double x : xs) {
    if (!out.empty())
      out += ' ';
    out += formatDouble(x);
  }
  return out;
}

} // namespace

std::string identifier(llvm::StringRef name, llvm::StringRef prefix) {
  std::string out;
  for (char c : name) {
    if (llvm::isAlnum(c))
      out += c;
    else if (out.empty() || out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  size_t lead = out.find_first_not_of('_');
  out = lead == std::string::npos ? "" : out.substr(lead);
  if (out.empty())
    out = prefix.str();
  else if (!llvm::isAlpha(out[0]))
    out = prefix.str() + "_" + out;
  for (const char *w : kSplitWords)
    for (size_t at = out.find(w); at != std::string::npos; at = out.find(w, at))
      out.insert(at + 1, "_");
  for (const char *k : kKeywords)
    if (out == k)
      out += '_';
  return out;
}

void uniquify(std::vector<std::string> &ids) {
  llvm::StringSet<> taken;
  for (const auto &id : ids)
    taken.insert(id);
  llvm::StringSet<> seen;
  for (auto &id : ids) {
    if (seen.insert(id).second)
      continue;
    for (unsigned k = 2;; ++k) {
      std::string candidate = id + "_" + std::to_string(k);
      if (!taken.count(candidate)) {
        id = candidate;
        taken.insert(id);
        seen.insert(id);
        break;
      }
    }
  }
}

std::string encodeProperty(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (rawPropertyChar(c)) {
      out += c;
    } else {
      out += '%';
      out += llvm::hexdigit((static_cast<unsigned char>(c) >> 4) & 15);
      out += llvm::hexdigit(static_cast<unsigned char>(c) & 15);
    }
  }
  for (const char *w : kSplitWords)
    for (size_t at = out.find(w); at != std::string::npos; at = out.find(w, at)) {
      std::string code = "%";
      code += llvm::hexdigit((static_cast<unsigned char>(w[0]) >> 4) & 15);
      code += llvm::hexdigit(static_cast<unsigned char>(w[0]) & 15);
      out.replace(at, 1, code);
    }
  return out;
}

llvm::Expected<std::string> decodeProperty(llvm::StringRef text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned hi = 0, lo = 0;
    if (i + 2 >= text.size() + 0 || (hi = llvm::hexDigitValue(text[i + 1])) > 15 ||
        (lo = llvm::hexDigitValue(text[i + 2])) > 15)
      return fail(BNErrorKind::BadFormat, "bad %-escape in property value '" + text + "'");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

InterchangeNames interchangeNames(const Network &n) {
  InterchangeNames names;
  names.network = identifier(n.app, "llmflow");
  for (const Variable &v : n.vars) {
    names.vars.push_back(identifier(v.name, "v"));
    std::vector<std::string> states;
    for (const std::string &s : v.states)
      states.push_back(identifier(s, "s"));
    uniquify(states);
    names.states.push_back(std::move(states));
  }
  uniquify(names.vars);
  return names;
}

Properties networkProperties(const Network &n) {
  return {
      {"llmflow_bn", "1"},
      {"llmflow_app", encodeProperty(n.app)},
      {"llmflow_ir_version", std::to_string(n.irVersion)},
      {"llmflow_train_rows", std::to_string(n.trainRows)},
      {"llmflow_bins", std::to_string(n.bins)},
      {"llmflow_max_parents", std::to_string(n.maxParents)},
      {"llmflow_smoothing", formatDouble(n.smoothing)},
      {"llmflow_search", encodeProperty(n.search)},
  };
}

Properties variableProperties(const Network &n, unsigned v) {
  const Variable &x = n.vars[v];
  std::string states;
  for (const std::string &s : x.states) {
    if (!states.empty())
      states += ' ';
    states += encodeProperty(s);
  }
  return {
      {"llmflow_name", encodeProperty(x.name)},
      {"llmflow_node", encodeProperty(x.node)},
      {"llmflow_kind", x.kind == Variable::Kind::Duration ? "duration" : "structure"},
      {"llmflow_order", std::to_string(x.order)},
      {"llmflow_has_absent", x.hasAbsent ? "true" : "false"},
      {"llmflow_states", states},
      {"llmflow_edges", joinNumbers(x.edges)},
      {"llmflow_value", joinNumbers(x.value)},
      {"llmflow_lo", joinNumbers(x.lo)},
      {"llmflow_hi", joinNumbers(x.hi)},
      {"llmflow_min", formatDouble(x.min)},
      {"llmflow_max", formatDouble(x.max)},
  };
}

} // namespace llmflow::bn::detail
