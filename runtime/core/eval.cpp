#include "core/eval.h"

#include "ir/json_text.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace llmflow::rt {
namespace {

llvm::Error fail(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

const char *kindName(const Value &v) {
  switch (v.kind()) {
  case Value::Null: return "null";
  case Value::Boolean: return "bool";
  case Value::Number: return "number";
  case Value::String: return "string";
  case Value::Array: return "list";
  case Value::Object: return "object";
  }
  return "?";
}

std::optional<double> number(const Value &v) {
  if (auto n = v.getAsNumber())
    return *n;
  return std::nullopt;
}

/// An int64 value. llvm::json also takes a whole double up to and including
/// 2^63 as an integer, and 2^63 then overflows the cast: 1e23 or 2^63 is a
/// float out of int range here. At 2^63 only an integer stored as such
/// (INT64_MAX rounds up to 2^63 as a double) is an int; getAsUINT64 answers
/// for integer storage only.
bool isInt(const Value &v) {
  std::optional<double> d = number(v);
  if (!d)
    return false;
  if (*d < 9223372036854775808.0)
    return v.getAsInteger().hasValue();
  auto u = v.getAsUINT64();
  return u && *u <= uint64_t(std::numeric_limits<int64_t>::max());
}

llvm::Expected<Value> field(const Value &base, llvm::StringRef name) {
  if (base.kind() == Value::Null)
    return Value(nullptr); // optional<Record>.field -> none
  const llvm::json::Object *o = base.getAsObject();
  if (!o)
    return fail("cannot read field '" + name + "' of a " + kindName(base));
  const Value *f = o->get(name);
  if (!f)
    return fail("value has no field '" + name + "'");
  return *f;
}

bool equal(const Value &a, const Value &b) {
  auto na = number(a), nb = number(b);
  if (na && nb)
    return *na == *nb;
  return a == b;
}

llvm::Expected<Value> arith(llvm::StringRef op, const Value &l, const Value &r) {
  if (op == "+") {
    if (auto ls = l.getAsString(), rs = r.getAsString(); ls && rs)
      return Value((*ls + *rs).str());
    if (l.getAsArray() && r.getAsArray()) {
      llvm::json::Array out = *l.getAsArray();
      for (const Value &x : *r.getAsArray())
        out.push_back(x);
      return Value(std::move(out));
    }
  }
  auto a = number(l), b = number(r);
  if (!a || !b)
    return fail("invalid operands to '" + op + "' (" + kindName(l) + " and " + kindName(r) + ")");
  bool ints = isInt(l) && isInt(r);
  if (op == "+") return ints ? Value(*l.getAsInteger() + *r.getAsInteger()) : Value(*a + *b);
  if (op == "-") return ints ? Value(*l.getAsInteger() - *r.getAsInteger()) : Value(*a - *b);
  if (op == "*") return ints ? Value(*l.getAsInteger() * *r.getAsInteger()) : Value(*a * *b);
  if (op == "/") {
    if (*b == 0)
      return fail("division by zero");
    return ints ? Value(*l.getAsInteger() / *r.getAsInteger()) : Value(*a / *b);
  }
  if (op == "%") {
    if (!ints || *r.getAsInteger() == 0)
      return fail("'%' needs integers and a non-zero divisor");
    return Value(*l.getAsInteger() % *r.getAsInteger());
  }
  return fail("unknown operator '" + op + "'");
}

llvm::Expected<Value> compare(llvm::StringRef op, const Value &l, const Value &r) {
  if (op == "==") return Value(equal(l, r));
  if (op == "!=") return Value(!equal(l, r));
  int c = 0;
  if (auto ls = l.getAsString(), rs = r.getAsString(); ls && rs) {
    c = ls->compare(*rs);
  } else {
    auto a = number(l), b = number(r);
    if (!a || !b)
      return fail("cannot compare " + llvm::Twine(kindName(l)) + " and " + kindName(r));
    c = *a < *b ? -1 : (*a > *b ? 1 : 0);
  }
  if (op == "<") return Value(c < 0);
  if (op == "<=") return Value(c <= 0);
  if (op == ">") return Value(c > 0);
  if (op == ">=") return Value(c >= 0);
  return fail("unknown operator '" + op + "'");
}

/// Code point boundaries of a UTF-8 string: strings index by character.
std::vector<size_t> codePoints(llvm::StringRef s) {
  std::vector<size_t> at;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
      at.push_back(i);
  at.push_back(s.size());
  return at;
}

/// xs[i], s[i] (negative counts from the end), o["key"].
llvm::Expected<Value> index(const Value &base, const Value &key) {
  if (auto name = key.getAsString()) {
    if (!base.getAsObject())
      return fail("cannot index a " + llvm::Twine(kindName(base)) + " with a string");
    return field(base, *name);
  }
  auto i = key.getAsInteger();
  if (!i || !isInt(key))
    return fail("an index must be an integer, found a " + llvm::Twine(kindName(key)));
  size_t n = 0;
  std::vector<size_t> cps;
  if (auto a = base.getAsArray())
    n = a->size();
  else if (auto s = base.getAsString())
    n = (cps = codePoints(*s)).size() - 1;
  else
    return fail("cannot index a " + llvm::Twine(kindName(base)));
  int64_t at = *i < 0 ? *i + int64_t(n) : *i;
  if (at < 0 || at >= int64_t(n))
    return fail("index " + llvm::Twine(*i) + " is out of range for a length of " + llvm::Twine(n));
  if (auto a = base.getAsArray())
    return (*a)[size_t(at)];
  llvm::StringRef s = *base.getAsString();
  return Value(s.slice(cps[size_t(at)], cps[size_t(at) + 1]).str());
}

/// xs[lo:hi], s[lo:hi]: bounds may be none (open), negative (from the end)
/// and out of range (clamped), as in Python.
llvm::Expected<Value> slice(const Value &base, const Value &lo, const Value &hi) {
  std::vector<size_t> cps;
  int64_t n = 0;
  if (auto a = base.getAsArray())
    n = int64_t(a->size());
  else if (auto s = base.getAsString())
    n = int64_t((cps = codePoints(*s)).size() - 1);
  else
    return fail("cannot slice a " + llvm::Twine(kindName(base)));
  auto bound = [&](const Value &v, int64_t open) -> llvm::Expected<int64_t> {
    if (v.kind() == Value::Null)
      return open;
    auto i = v.getAsInteger();
    if (!i || !isInt(v))
      return fail("a slice bound must be an integer, found a " + llvm::Twine(kindName(v)));
    int64_t b = *i < 0 ? *i + n : *i;
    return std::clamp<int64_t>(b, 0, n);
  };
  auto b = bound(lo, 0);
  if (!b)
    return b.takeError();
  auto e = bound(hi, n);
  if (!e)
    return e.takeError();
  int64_t from = *b, to = std::max(*b, *e);
  if (auto a = base.getAsArray())
  {
    llvm::json::Array out;
    for (int64_t i = from; i < to; ++i)
      out.push_back((*a)[size_t(i)]);
    return Value(std::move(out));
  }
  return Value(base.getAsString()->slice(cps[size_t(from)], cps[size_t(to)]).str());
}

llvm::Expected<Value> call(llvm::StringRef fn, std::vector<Value> &args) {
  auto want = [&](size_t n) -> llvm::Error {
    if (args.size() != n)
      return fail("'" + fn + "' takes " + llvm::Twine(n) + " argument(s)");
    return llvm::Error::success();
  };
  if (fn == "concat") {
    std::string s;
    for (const Value &a : args)
      s += renderValue(a);
    return Value(std::move(s));
  }
  if (fn == "len") {
    if (auto e = want(1)) return std::move(e);
    if (auto s = args[0].getAsString()) return Value(int64_t(s->size()));
    if (auto a = args[0].getAsArray()) return Value(int64_t(a->size()));
    if (auto o = args[0].getAsObject()) return Value(int64_t(o->size()));
    return fail("len() of a " + llvm::Twine(kindName(args[0])));
  }
  if (fn == "contains") {
    if (auto e = want(2)) return std::move(e);
    if (auto s = args[0].getAsString()) {
      auto n = args[1].getAsString();
      if (!n)
        return fail("contains(string, x) needs a string x");
      return Value(s->contains(*n));
    }
    if (auto a = args[0].getAsArray()) {
      for (const Value &x : *a)
        if (equal(x, args[1]))
          return Value(true);
      return Value(false);
    }
    return fail("contains() of a " + llvm::Twine(kindName(args[0])));
  }
  if (fn == "lower" || fn == "upper") {
    if (auto e = want(1)) return std::move(e);
    auto s = args[0].getAsString();
    if (!s)
      return fail(fn + "() of a " + kindName(args[0]));
    return Value(fn == "lower" ? s->lower() : s->upper());
  }
  if (fn == "str") {
    if (auto e = want(1)) return std::move(e);
    return Value(renderValue(args[0]));
  }
  if (fn == "index") {
    if (auto e = want(2)) return std::move(e);
    return index(args[0], args[1]);
  }
  if (fn == "slice") {
    if (auto e = want(3)) return std::move(e);
    return slice(args[0], args[1], args[2]);
  }
  if (fn == "field") {
    if (auto e = want(2)) return std::move(e);
    auto name = args[1].getAsString();
    if (!name)
      return fail("field() needs a field name");
    return field(args[0], *name);
  }
  return fail("unknown function '" + fn + "'");
}

} // namespace

/// match(subject, [values], value, ..., [default]): only the arm that
/// applies is evaluated.
static llvm::Expected<Value> evaluateMatch(const ir::Expr &e, const EvalScope &scope) {
  auto subject = evaluate(e.args[0], scope);
  if (!subject)
    return subject.takeError();
  size_t i = 1;
  for (; i + 1 < e.args.size(); i += 2)
    for (const ir::Expr &v : e.args[i].args)
      if (v.literal == *subject)
        return evaluate(e.args[i + 1], scope);
  if (i < e.args.size())
    return evaluate(e.args[i], scope); // the `_` arm
  return fail("no arm of 'match' covers " + renderValue(*subject));
}

namespace {

/// A reference's value where it lives (fields walked by pointer), so a
/// caller that only reads it copies nothing.
llvm::Expected<const Value *> lookupRef(const ir::Expr &e, const EvalScope &scope) {
  static const Value kNone = nullptr;
  const Value *v = scope.lookup(e.root, e.name);
  if (!v)
    return fail("value of '" + e.name + "' (" + ir::toString(e.root) + ") is not available");
  for (const std::string &f : e.fields) {
    if (v->kind() == Value::Null)
      return &kNone; // optional<Record>.field -> none
    const llvm::json::Object *o = v->getAsObject();
    if (!o)
      return fail("reading '" + e.name + "': cannot read field '" + f + "' of a " + kindName(*v));
    v = o->get(f);
    if (!v)
      return fail("reading '" + e.name + "': value has no field '" + f + "'");
  }
  return v;
}

/// renderValue appended to `out`, without a temporary string.
void appendValue(std::string &out, const Value &v) {
  if (auto s = v.getAsString())
    out += *s;
  else if (v.kind() != Value::Null)
    out += ir::toText(v);
}

} // namespace

llvm::Expected<Value> evaluate(const ir::Expr &e, const EvalScope &scope) {
  switch (e.kind) {
  case ir::Expr::Kind::Literal:
    return e.literal;
  case ir::Expr::Kind::Ref: {
    auto v = lookupRef(e, scope);
    if (!v)
      return v.takeError();
    return **v;
  }
  case ir::Expr::Kind::Unary: {
    auto o = evaluate(e.args[0], scope);
    if (!o)
      return o.takeError();
    if (e.op == "!") {
      auto b = o->getAsBoolean();
      if (!b)
        return fail("'!' of a " + llvm::Twine(kindName(*o)));
      return Value(!*b);
    }
    if (auto i = o->getAsInteger(); i && isInt(*o))
      return Value(-*i);
    if (auto d = number(*o))
      return Value(-*d);
    return fail("'-' of a " + llvm::Twine(kindName(*o)));
  }
  case ir::Expr::Kind::Binary: {
    auto l = evaluate(e.args[0], scope);
    if (!l)
      return l.takeError();
    if (e.op == "??") // the default only when there is no value
      return l->kind() == Value::Null ? evaluate(e.args[1], scope) : std::move(l);
    if (e.op == "&&" || e.op == "||") {
      auto lb = l->getAsBoolean();
      if (!lb)
        return fail("'" + e.op + "' of a " + kindName(*l));
      if ((e.op == "&&" && !*lb) || (e.op == "||" && *lb))
        return Value(*lb);
      auto r = evaluate(e.args[1], scope);
      if (!r)
        return r.takeError();
      auto rb = r->getAsBoolean();
      if (!rb)
        return fail("'" + e.op + "' of a " + kindName(*r));
      return Value(*rb);
    }
    auto r = evaluate(e.args[1], scope);
    if (!r)
      return r.takeError();
    if (e.op == "==" || e.op == "!=" || e.op == "<" || e.op == "<=" || e.op == ">" || e.op == ">=")
      return compare(e.op, *l, *r);
    return arith(e.op, *l, *r);
  }
  case ir::Expr::Kind::List: {
    llvm::json::Array a;
    for (const ir::Expr &x : e.args) {
      auto v = evaluate(x, scope);
      if (!v)
        return v.takeError();
      a.push_back(std::move(*v));
    }
    return Value(std::move(a));
  }
  case ir::Expr::Kind::Record: {
    llvm::json::Object o;
    for (size_t i = 0; i < e.args.size(); ++i) {
      auto v = evaluate(e.args[i], scope);
      if (!v)
        return v.takeError();
      o[e.fields[i]] = std::move(*v);
    }
    return Value(std::move(o));
  }
  case ir::Expr::Kind::Call: {
    if (e.name == "match")
      return evaluateMatch(e, scope);
    std::vector<Value> args;
    for (const ir::Expr &x : e.args) {
      auto v = evaluate(x, scope);
      if (!v)
        return v.takeError();
      args.push_back(std::move(*v));
    }
    return call(e.name, args);
  }
  }
  llvm_unreachable("unknown expression kind");
}

std::string renderValue(const Value &v) {
  if (auto s = v.getAsString())
    return s->str();
  if (v.kind() == Value::Null)
    return "";
  return ir::toText(v);
}

llvm::Expected<std::string> renderTemplate(const ir::Template &t, const EvalScope &scope,
                                           const HoleEncoder &encode) {
  std::string out;
  for (const ir::TemplatePart &p : t) {
    if (!p.hole) {
      out += p.text;
      continue;
    }
    // A reference (most holes) is read in place; anything else is computed.
    std::optional<Value> computed;
    const Value *v = nullptr;
    if (p.hole->kind == ir::Expr::Kind::Ref) {
      auto r = lookupRef(*p.hole, scope);
      if (!r)
        return r.takeError();
      v = *r;
    } else {
      auto r = evaluate(*p.hole, scope);
      if (!r)
        return r.takeError();
      v = &computed.emplace(std::move(*r));
    }
    if (!encode) {
      appendValue(out, *v);
      continue;
    }
    auto text = encode(out, renderValue(*v));
    if (!text)
      return text.takeError();
    out += *text;
  }
  return out;
}

bool conforms(const Value &v, const ir::Type &t, const ir::Module &m, std::string *why) {
  using K = ir::Type::Kind;
  auto no = [&](const std::string &msg) {
    if (why)
      *why = msg;
    return false;
  };
  switch (t.kind) {
  case K::Json: return true;
  case K::None: return v.kind() == Value::Null || no("expected none");
  case K::String: return v.getAsString() || no(std::string("expected string, found ") + kindName(v));
  case K::Bool: return v.getAsBoolean() || no(std::string("expected bool, found ") + kindName(v));
  case K::Int: return isInt(v) || no(std::string("expected int, found ") + kindName(v));
  case K::Float: return number(v) || no(std::string("expected float, found ") + kindName(v));
  case K::Optional: return v.kind() == Value::Null || conforms(v, t.elem[0], m, why);
  case K::List: {
    const llvm::json::Array *a = v.getAsArray();
    if (!a)
      return no(std::string("expected a list, found ") + kindName(v));
    for (size_t i = 0; i < a->size(); ++i)
      if (!conforms((*a)[i], t.elem[0], m, why)) {
        if (why)
          *why = "element " + std::to_string(i) + ": " + *why;
        return false;
      }
    return true;
  }
  case K::Enum: {
    auto s = v.getAsString();
    const ir::EnumDef *e = m.findEnum(t.name);
    if (!s)
      return no(std::string("expected one of enum ") + t.name + ", found " + kindName(v));
    if (e && std::find(e->values.begin(), e->values.end(), s->str()) == e->values.end())
      return no("'" + s->str() + "' is not a value of enum " + t.name);
    return true;
  }
  case K::Record: {
    const llvm::json::Object *o = v.getAsObject();
    const ir::RecordDef *r = m.findRecord(t.name);
    if (!o)
      return no(std::string("expected an object, found ") + kindName(v));
    if (!r)
      return true;
    for (auto &[name, ft] : r->fields) {
      const Value *f = o->get(name);
      if (!f) {
        if (ft.kind == K::Optional)
          continue;
        return no("missing field '" + name + "'");
      }
      if (!conforms(*f, ft, m, why)) {
        if (why)
          *why = "field '" + name + "': " + *why;
        return false;
      }
    }
    return true;
  }
  }
  return true;
}

llvm::Expected<bool> asCondition(const Value &v, llvm::StringRef what) {
  if (auto b = v.getAsBoolean())
    return *b;
  return fail(what + " is not a bool (found " + kindName(v) + ")");
}

} // namespace llmflow::rt
