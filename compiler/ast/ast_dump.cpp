// --emit=ast: a deterministic, indented dump of the tree with line:col.
#include "ast/ast.h"

#include "support/source_util.h"

#include "llvm/Support/raw_ostream.h"

namespace llmflow::ast {
namespace {

class Dumper {
public:
  Dumper(std::string &out, const llvm::SourceMgr *sm) : os(out), sm(sm) {}

  void module(const Module &m) {
    os << "module\n";
    for (const Decl *d : m.decls)
      decl(*d, 1);
  }

private:
  llvm::raw_string_ostream os;
  const llvm::SourceMgr *sm;

  void indent(int depth) { os.indent(unsigned(depth) * 2); }
  void loc(llvm::SMRange r) {
    if (!sm)
      return;
    auto lc = support::lineCol(*sm, r.Start);
    if (lc.line)
      os << " <" << lc.line << ":" << lc.col << ">";
  }

  /// "a.b.c" for a plain reference, "" for any other expression.
  static std::string refText(const Expr *e) {
    if (e->kind == Expr::Kind::Name)
      return e->text;
    if (e->kind != Expr::Kind::Member)
      return "";
    std::string base = refText(e->operands[0]);
    return base.empty() ? "" : base + "." + e->text;
  }

  std::string type(const TypeExpr *t) {
    if (!t)
      return "<none>";
    std::string s = t->name;
    if (!t->args.empty()) {
      s += "<";
      for (size_t i = 0; i < t->args.size(); ++i)
        s += (i ? ", " : "") + type(t->args[i]);
      s += ">";
    }
    return s;
  }

  void props(const std::vector<Prop> &ps, int depth) {
    for (const Prop &p : ps) {
      indent(depth);
      os << "prop " << p.name;
      loc(p.nameRange);
      os << "\n";
      expr(p.value, depth + 1);
    }
  }

  void decl(const Decl &d, int depth) {
    indent(depth);
    switch (d.kind) {
    case Decl::Kind::Import:
      os << "import " << (d.importIsFile ? "file " : "std ") << '"' << d.importPath << "\" as " << d.name;
      loc(d.range);
      os << "\n";
      return;
    case Decl::Kind::Defaults:
      os << "defaults";
      loc(d.range);
      os << "\n";
      props(d.props, depth + 1);
      return;
    case Decl::Kind::Record:
      os << "record " << d.name;
      loc(d.nameRange);
      os << "\n";
      for (const Field &f : d.fields) {
        indent(depth + 1);
        os << "field " << f.name << ": " << type(f.type) << "\n";
      }
      return;
    case Decl::Kind::Enum:
      os << "enum " << d.name;
      loc(d.nameRange);
      for (const std::string &v : d.enumValues)
        os << " " << v;
      os << "\n";
      return;
    case Decl::Kind::Tool:
    case Decl::Kind::App:
      os << (d.kind == Decl::Kind::Tool ? "tool " : "app ") << d.name << "(";
      for (size_t i = 0; i < d.params.size(); ++i)
        os << (i ? ", " : "") << d.params[i].name << ": " << type(d.params[i].type);
      os << ") -> " << type(d.resultType);
      loc(d.nameRange);
      os << "\n";
      for (const Param &p : d.params)
        if (p.defaultValue) {
          indent(depth + 1);
          os << "default " << p.name << "\n";
          expr(p.defaultValue, depth + 2);
        }
      props(d.props, depth + 1);
      if (d.body)
        block(*d.body, depth + 1);
      return;
    }
  }

  void block(const Block &b, int depth) {
    for (const Stmt *s : b.stmts)
      stmt(*s, depth);
  }

  void stmt(const Stmt &s, int depth) {
    indent(depth);
    os << toString(s.kind);
    if (!s.name.empty())
      os << " " << s.name;
    if (s.outputType)
      os << " -> " << type(s.outputType);
    if (!s.callee.empty())
      os << " = " << s.callee;
    if (!s.itemName.empty())
      os << " item " << s.itemName;
    loc(s.range);
    os << "\n";
    for (const Arg &a : s.args) {
      indent(depth + 1);
      os << "arg " << a.name << "\n";
      expr(a.value, depth + 2);
    }
    props(s.props, depth + 1);
    if (s.expr)
      expr(s.expr, depth + 1);
    if (s.body) {
      indent(depth + 1);
      os << "body\n";
      block(*s.body, depth + 2);
    }
    if (s.elseBody) {
      indent(depth + 1);
      os << "else\n";
      block(*s.elseBody, depth + 2);
    }
  }

  void expr(const Expr *e, int depth) {
    indent(depth);
    switch (e->kind) {
    case Expr::Kind::Int: os << "int " << e->intValue; break;
    case Expr::Kind::Float: os << "float " << e->floatValue; break;
    case Expr::Kind::Duration: os << "duration " << e->floatValue << "s"; break;
    case Expr::Kind::Bool: os << "bool " << (e->boolValue ? "true" : "false"); break;
    case Expr::Kind::None: os << "none"; break;
    case Expr::Kind::Name: os << "name " << e->text; break;
    case Expr::Kind::Member: os << "member ." << e->text; break;
    case Expr::Kind::Unary: os << "unary " << e->text; break;
    case Expr::Kind::Binary: os << "binary " << e->text; break;
    case Expr::Kind::Call: os << "call " << e->text; break;
    case Expr::Kind::List: os << "list"; break;
    case Expr::Kind::Index: os << "index"; break;
    case Expr::Kind::Slice: os << "slice"; break;
    case Expr::Kind::Match: os << "match"; break;
    case Expr::Kind::Record:
      os << "record";
      for (const std::string &f : e->fieldNames)
        os << " " << f;
      break;
    case Expr::Kind::String:
      os << "string";
      for (const TemplatePiece &p : e->pieces) {
        if (!p.hole) {
          os << " \"";
          os.write_escaped(p.text);
          os << "\"";
        } else if (std::string ref = refText(p.hole); !ref.empty()) {
          os << " {{" << ref << "}}";
        } else {
          os << " {{...}}"; // the expression follows as a child
        }
      }
      break;
    }
    loc(e->range);
    os << "\n";
    for (const Expr *o : e->operands)
      expr(o, depth + 1);
    for (const TemplatePiece &p : e->pieces)
      if (p.hole && refText(p.hole).empty())
        expr(p.hole, depth + 1);
    for (const MatchArm &a : e->arms) {
      indent(depth + 1);
      os << "arm";
      for (const std::string &v : a.values)
        os << " " << v;
      os << "\n";
      expr(a.value, depth + 2);
    }
  }
};

} // namespace

const char *toString(Stmt::Kind k) {
  switch (k) {
  case Stmt::Kind::LLM: return "llm";
  case Stmt::Kind::Planner: return "planner";
  case Stmt::Kind::Tool: return "tool";
  case Stmt::Kind::Call: return "call";
  case Stmt::Kind::If: return "if";
  case Stmt::Kind::Loop: return "loop";
  case Stmt::Kind::Map: return "map";
  case Stmt::Kind::Let: return "let";
  case Stmt::Kind::Yield: return "yield";
  case Stmt::Kind::Return: return "return";
  }
  return "?";
}

void dump(const Module &m, std::string &out, const llvm::SourceMgr *sm) {
  Dumper d(out, sm);
  d.module(m);
}

} // namespace llmflow::ast
