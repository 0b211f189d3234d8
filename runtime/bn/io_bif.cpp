// toBIF(): the network in the BIF interchange format, laid out the way
// pgmpy's BIFReader and bnlearn's read.bif parse it: one declaration per
// line, the probability header on one line, `table` for variables without
// parents and one `( parent states ) probabilities;` entry per parent
// configuration otherwise, blocks closed by "}" on a line of its own.
#include "bn/detail.h"
#include "bn/names.h"

namespace llmflow::bn {

std::string toBIF(const Network &n) {
  detail::InterchangeNames names = detail::interchangeNames(n);
  std::string out = "// llmflow Bayesian network, llmflow_bn 1. Identifiers are sanitised; the llmflow_*\n"
                    "// properties (percent-encoded) keep the original names, labels and values.\n";
  out += "network " + names.network + " {\n";
  for (const auto &[key, value] : detail::networkProperties(n))
    out += "    property " + key + " = " + value + " ;\n";
  out += "}\n";
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    out += "variable " + names.vars[v] + " {\n";
    out += "    type discrete [ " + std::to_string(n.vars[v].card()) + " ] { ";
    for (size_t s = 0; s < names.states[v].size(); ++s)
      out += (s ? ", " : "") + names.states[v][s];
    out += " };\n";
    for (const auto &[key, value] : detail::variableProperties(n, v))
      out += "    property " + key + " = " + value + " ;\n";
    out += "}\n";
  }
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    const auto &ps = n.parents[v];
    unsigned card = n.vars[v].card();
    out += "probability ( " + names.vars[v];
    for (size_t i = 0; i < ps.size(); ++i)
      out += (i ? ", " : " | ") + names.vars[ps[i]];
    out += " ) {\n";
    auto row = [&](size_t config) {
      std::string r;
      for (unsigned s = 0; s < card; ++s)
        r += (s ? ", " : "") + detail::formatDouble(n.cpt[v][config * card + s]);
      return r;
    };
    if (ps.empty()) {
      out += "    table " + row(0) + " ;\n";
    } else {
      size_t configs = detail::parentConfigs(n, v);
      std::vector<unsigned> state(ps.size(), 0);
      for (size_t c = 0; c < configs; ++c) {
        out += "    ( ";
        for (size_t i = 0; i < ps.size(); ++i)
          out += (i ? ", " : "") + names.states[ps[i]][state[i]];
        out += " ) " + row(c) + ";\n";
        for (size_t i = ps.size(); i-- > 0;) {
          if (++state[i] < n.vars[ps[i]].card())
            break;
          state[i] = 0;
        }
      }
    }
    out += "}\n";
  }
  return out;
}

} // namespace llmflow::bn
