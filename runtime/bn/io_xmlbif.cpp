// toXMLBIF(): XMLBIF 0.3 (Cozman's interchange format) with its DTD inline,
// as Weka writes it and pgmpy's XMLBIFReader reads it: one VARIABLE per
// variable (NAME, OUTCOMEs, PROPERTYs), one DEFINITION per variable (FOR,
// GIVENs, TABLE). TABLE lists, for each parent configuration in turn (last
// GIVEN fastest), the distribution over the FOR variable's outcomes: the
// Network's own CPT layout. Identifiers and properties as in toBIF().
#include "bn/detail.h"
#include "bn/names.h"

namespace llmflow::bn {

namespace {

std::string xmlText(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    default: out += c;
    }
  }
  return out;
}

constexpr const char *kDTD = R"(<!-- DTD for the XMLBIF 0.3 format -->
<!DOCTYPE BIF [
	<!ELEMENT BIF ( NETWORK )*>
	      <!ATTLIST BIF VERSION CDATA #REQUIRED>
	<!ELEMENT NETWORK ( NAME, ( PROPERTY | VARIABLE | DEFINITION )* )>
	<!ELEMENT NAME (#PCDATA)>
	<!ELEMENT VARIABLE ( NAME, ( OUTCOME |  PROPERTY )* ) >
	      <!ATTLIST VARIABLE TYPE (nature|decision|utility) "nature">
	<!ELEMENT OUTCOME (#PCDATA)>
	<!ELEMENT DEFINITION ( FOR | GIVEN | TABLE | PROPERTY )* >
	<!ELEMENT FOR (#PCDATA)>
	<!ELEMENT GIVEN (#PCDATA)>
	<!ELEMENT TABLE (#PCDATA)>
	<!ELEMENT PROPERTY (#PCDATA)>
]>
)";

} // namespace

std::string toXMLBIF(const Network &n) {
  detail::InterchangeNames names = detail::interchangeNames(n);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<!-- llmflow Bayesian network (llmflow_bn 1) in XMLBIF 0.3. Identifiers are sanitised;\n"
                    "     the llmflow_* properties (percent-encoded) keep the original names and values. -->\n";
  out += kDTD;
  out += "\n<BIF VERSION=\"0.3\">\n<NETWORK>\n";
  out += "<NAME>" + xmlText(names.network) + "</NAME>\n";
  for (const auto &[key, value] : detail::networkProperties(n))
    out += "<PROPERTY>" + key + " = " + xmlText(value) + "</PROPERTY>\n";
  out += "\n<!-- Variables -->\n";
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    out += "<VARIABLE TYPE=\"nature\">\n";
    out += "\t<NAME>" + xmlText(names.vars[v]) + "</NAME>\n";
    for (const std::string &s : names.states[v])
      out += "\t<OUTCOME>" + xmlText(s) + "</OUTCOME>\n";
    for (const auto &[key, value] : detail::variableProperties(n, v))
      out += "\t<PROPERTY>" + key + " = " + xmlText(value) + "</PROPERTY>\n";
    out += "</VARIABLE>\n\n";
  }
  out += "<!-- Probability distributions -->\n";
  for (unsigned v = 0; v < n.vars.size(); ++v) {
    out += "<DEFINITION>\n";
    out += "\t<FOR>" + xmlText(names.vars[v]) + "</FOR>\n";
    for (unsigned p : n.parents[v])
      out += "\t<GIVEN>" + xmlText(names.vars[p]) + "</GIVEN>\n";
    out += "\t<TABLE>";
    for (size_t i = 0; i < n.cpt[v].size(); ++i)
      out += (i ? " " : "") + detail::formatDouble(n.cpt[v][i]);
    out += "</TABLE>\n</DEFINITION>\n\n";
  }
  out += "</NETWORK>\n</BIF>\n";
  return out;
}

} // namespace llmflow::bn
